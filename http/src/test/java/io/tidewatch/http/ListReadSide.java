package io.tidewatch.http;

import io.tidewatch.persistence.readside.AlertCursor;
import io.tidewatch.persistence.readside.EntityIndex;
import io.tidewatch.persistence.readside.ReadSide;
import io.tidewatch.protocol.AlertView;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The read side's contract over lists, for route tests without Cassandra (CassandraReadSide is tested on the real
 * node in the integration tests).
 */
final class ListReadSide implements ReadSide, EntityIndex {

  private final Map<String, TreeSet<String>> idsByType = new HashMap<>();
  final List<AlertView> alerts = new CopyOnWriteArrayList<>();

  private static AlertCursor cursor(AlertView a) {
    return new AlertCursor(a.detectedAt(), a.alertId());
  }

  @Override
  public synchronized CompletionStage<?> register(String type, String id, long firstSeenMs) {
    idsByType.computeIfAbsent(type, t -> new TreeSet<>()).add(id);
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public synchronized CompletionStage<List<String>> entityIds(String type, String after, int limit) {
    TreeSet<String> ids = idsByType.getOrDefault(type, new TreeSet<>());
    List<String> page = new ArrayList<>();
    for (String id : after == null ? ids : ids.tailSet(after, false)) {
      if (page.size() == limit) {
        break;
      }
      page.add(id);
    }
    return CompletableFuture.completedFuture(page);
  }

  @Override
  public CompletionStage<List<AlertView>> recentAlerts(long sinceMs, AlertCursor before, int limit) {
    return CompletableFuture.completedFuture(
        alerts.stream()
            .filter(a -> a.detectedAt() >= sinceMs && (before == null || cursor(a).compareTo(before) < 0))
            .sorted(Comparator.comparing(ListReadSide::cursor).reversed())
            .limit(limit)
            .toList());
  }

  @Override
  public CompletionStage<List<AlertView>> alertsAfter(AlertCursor after, int limit) {
    return CompletableFuture.completedFuture(
        alerts.stream()
            .filter(a -> cursor(a).compareTo(after) > 0)
            .sorted(Comparator.comparing(ListReadSide::cursor))
            .limit(limit)
            .toList());
  }
}
