package io.tidewatch.http;

import io.tidewatch.persistence.output.OutputSink;
import io.tidewatch.persistence.readside.AlertCursor;
import io.tidewatch.persistence.readside.EntityIndex;
import io.tidewatch.persistence.readside.ReadSide;
import io.tidewatch.persistence.readside.WindowCursor;
import io.tidewatch.persistence.readside.WindowFilter;
import io.tidewatch.persistence.state.EntityState;
import io.tidewatch.protocol.AlertView;
import io.tidewatch.protocol.IncidentTransition;
import io.tidewatch.protocol.IncidentView;
import io.tidewatch.protocol.EntityProtocol.Outputs;
import io.tidewatch.protocol.WindowView;
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
 * node in the integration tests); its filters and orders are the read side's own ({@link WindowFilter},
 * {@link WindowCursor#NEWEST_FIRST}, {@link AlertCursor}).
 */
final class ListReadSide implements ReadSide, EntityIndex, OutputSink {

  private static final Comparator<AlertView> NEWEST_EVENT_FIRST =
      Comparator.comparing((AlertView a) -> new AlertCursor(a.ts(), a.alertId())).reversed();

  private final Map<String, TreeSet<String>> idsByType = new HashMap<>();
  private final Map<String, Boolean> pending = new HashMap<>();
  private final Map<String, List<WindowView>> windowsByEntity = new HashMap<>();
  private final Map<String, List<AlertView>> alertsByEntity = new HashMap<>();
  private final Map<String, IncidentView> incidents = new java.util.LinkedHashMap<>();
  final List<IncidentTransition> transitions = new CopyOnWriteArrayList<>();
  final List<AlertView> alerts = new CopyOnWriteArrayList<>();

  private static AlertCursor cursor(AlertView a) {
    return new AlertCursor(a.detectedAt(), a.alertId());
  }

  /** Lists the entity, as publishing its registration does. */
  public synchronized CompletionStage<?> register(String type, String id, long firstSeenMs) {
    idsByType.computeIfAbsent(type, t -> new TreeSet<>()).add(id);
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public synchronized CompletionStage<?> outputsPending(String type, String id, boolean marked) {
    pending.put(type + "/" + id, marked);
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public synchronized CompletionStage<List<String>> withOutputsPending(String type) {
    return CompletableFuture.completedFuture(pending.entrySet().stream()
        .filter(e -> e.getValue() && e.getKey().startsWith(type + "/"))
        .map(e -> e.getKey().substring(type.length() + 1))
        .toList());
  }

  /** When each entity expires, as its last passivation recorded it (write-time order is Cassandra's business). */
  private final Map<String, DueExpiry> expiries = new HashMap<>();
  private final Map<String, Long> expiresAt = new HashMap<>();

  @Override
  public synchronized CompletionStage<?> expiresAt(
      String type, String id, long heardAt, long seqNr, long expiresAtMs, boolean heardKnown) {
    expiries.put(type + "/" + id, new DueExpiry(id, heardAt, seqNr));
    expiresAt.put(type + "/" + id, expiresAtMs);
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public synchronized CompletionStage<?> expired(String type, String id, long expiredAt, long seqNr) {
    expiries.remove(type + "/" + id);
    expiresAt.remove(type + "/" + id);
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public synchronized CompletionStage<?> heardAfterExpiry(String type, String id, long seqNr) {
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public synchronized CompletionStage<List<DueExpiry>> dueToExpire(String type, long nowMs, String after, int limit) {
    return CompletableFuture.completedFuture(expiresAt.entrySet().stream()
        .filter(e -> e.getKey().startsWith(type + "/") && e.getValue() <= nowMs)
        .filter(e -> e.getKey().substring(type.length() + 1).compareTo(after) > 0)
        .sorted(Map.Entry.comparingByKey())
        .limit(limit)
        .map(e -> expiries.get(e.getKey()))
        .toList());
  }

  @Override
  public synchronized CompletionStage<?> publish(String type, String id, Outputs outputs) {
    if (outputs.registration() != null) {
      register(type, id, outputs.registration().firstSeenMs());
    }
    List<WindowView> windows = windowsByEntity.computeIfAbsent(type + "/" + id, k -> new ArrayList<>());
    outputs.windows().forEach(w -> EntityState.views(w).stream()
        .filter(view -> windows.stream().noneMatch(kept -> WindowCursor.of(kept).equals(WindowCursor.of(view))))
        .forEach(windows::add));
    List<AlertView> entityAlerts = alertsByEntity.computeIfAbsent(type + "/" + id, k -> new ArrayList<>());
    for (var alert : outputs.alerts()) {
      AlertView view = AlertView.of(type, id, alert);
      if (!entityAlerts.contains(view)) {
        entityAlerts.add(view);
        alerts.add(view);
      }
    }
    for (var change : outputs.incidents()) {
      incidents.compute(change.incidentId(), (key, was) -> IncidentView.after(was, type, id, change));
      IncidentTransition transition = IncidentTransition.of(type, id, change);
      if (!transitions.contains(transition)) {
        transitions.add(transition);
      }
    }
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public synchronized CompletionStage<List<IncidentView>> entityIncidents(
      String type, String id, String state, String afterId, int limit) {
    List<IncidentView> newestFirst = new ArrayList<>(incidents.values());
    java.util.Collections.reverse(newestFirst);
    List<IncidentView> page = new ArrayList<>();
    boolean past = afterId == null;
    for (IncidentView incident : newestFirst) {
      if (!past) {
        past = incident.incidentId().equals(afterId);
        continue;
      }
      if (incident.entityType().equals(type) && incident.entityId().equals(id)
          && (state == null || state.equals(incident.state())) && page.size() < limit) {
        page.add(incident);
      }
    }
    return CompletableFuture.completedFuture(page);
  }

  @Override
  public synchronized CompletionStage<List<IncidentView>> openIncidents(AlertCursor after, int limit) {
    return CompletableFuture.completedFuture(incidents.values().stream()
        .filter(incident -> incident.state().equals(IncidentView.OPEN))
        .filter(incident -> after == null || new AlertCursor(incident.openedAt(), incident.incidentId()).compareTo(after) < 0)
        .sorted(Comparator.comparing((IncidentView incident) -> new AlertCursor(incident.openedAt(), incident.incidentId())).reversed())
        .limit(limit)
        .toList());
  }

  @Override
  public synchronized CompletionStage<Boolean> listed(String type, String id) {
    return CompletableFuture.completedFuture(idsByType.getOrDefault(type, new TreeSet<>()).contains(id));
  }

  @Override
  public synchronized CompletionStage<List<WindowView>> windows(
      String type, String id, WindowFilter filter, WindowCursor after, int limit) {
    return CompletableFuture.completedFuture(windowsByEntity.getOrDefault(type + "/" + id, List.of()).stream()
        .filter(filter::matches)
        .filter(w -> after == null || WindowCursor.NEWEST_FIRST.compare(WindowCursor.of(w), after) > 0)
        .sorted(Comparator.comparing(WindowCursor::of, WindowCursor.NEWEST_FIRST))
        .limit(limit)
        .toList());
  }

  @Override
  public synchronized CompletionStage<List<AlertView>> entityAlerts(
      String type, String id, Long from, Long to, AlertCursor after, int limit) {
    return CompletableFuture.completedFuture(alertsByEntity.getOrDefault(type + "/" + id, List.of()).stream()
        .filter(a -> (from == null || a.ts() >= from) && (to == null || a.ts() < to))
        .filter(a -> after == null || new AlertCursor(a.ts(), a.alertId()).compareTo(after) < 0)
        .sorted(NEWEST_EVENT_FIRST)
        .limit(limit)
        .toList());
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
  public CompletionStage<List<IncidentTransition>> incidentTransitionsAfter(AlertCursor after, int limit) {
    return CompletableFuture.completedFuture(
        transitions.stream()
            .filter(t -> new AlertCursor(t.at(), t.streamPosition()).compareTo(after) > 0)
            .sorted(Comparator.comparing((IncidentTransition t) -> new AlertCursor(t.at(), t.streamPosition())))
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
