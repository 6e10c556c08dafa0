package io.tidewatch.persistence.readside;

import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.DefaultBatchType;
import com.datastax.oss.driver.api.core.cql.Row;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidewatch.protocol.AlertView;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;

/**
 * The read side in two Cassandra tables (deploy's tidewatch.cql): {@code entity_ids}, one partition per entity
 * type in id order, and {@code recent_alerts}, one partition per UTC day, newest first, kept for
 * {@link #ALERTS_KEPT_DAYS} days.
 */
public final class CassandraReadSide implements ReadSide, EntityIndex {

  /** Rows of recent_alerts expire after this many days (the table's TTL); older alerts stay in the journals. */
  public static final int ALERTS_KEPT_DAYS = 7;
  /** Rows per batch of alert writes: keeps each batch well below the mutation size limit (alerts are ~300 bytes). */
  static final int ALERTS_PER_BATCH = 100;
  /** Registrations per write; each write is one batch per entity type. */
  static final int REGISTRATIONS_PER_BATCH = 500;

  private record Registration(String type, String id, long firstSeenMs) {}

  private final CassandraSession session;
  private final String keyspace;
  private final ObjectMapper mapper;
  private final Clock clock;
  private final GroupedWrites<Registration> registrations =
      new GroupedWrites<>(REGISTRATIONS_PER_BATCH, this::writeRegistrations);

  public CassandraReadSide(CassandraSession session, String keyspace, ObjectMapper mapper, Clock clock) {
    this.session = session;
    this.keyspace = keyspace;
    this.mapper = mapper;
    this.clock = clock;
  }

  static String day(long epochMs) {
    return LocalDate.ofInstant(Instant.ofEpochMilli(epochMs), ZoneOffset.UTC).toString();
  }

  /** Registrations arriving while one is written share the next write ({@link GroupedWrites}). */
  @Override
  public CompletionStage<?> register(String type, String id, long firstSeenMs) {
    return registrations.add(new Registration(type, id, firstSeenMs));
  }

  /** One unlogged batch per entity type: the rows of a type share a partition. */
  private CompletionStage<?> writeRegistrations(List<Registration> group) {
    return session
        .prepare("INSERT INTO " + keyspace + ".entity_ids (entity_type, entity_id, first_seen) VALUES (?, ?, ?)")
        .thenCompose(insert -> {
          Map<String, List<BoundStatement>> byType = new LinkedHashMap<>();
          for (Registration r : group) {
            byType.computeIfAbsent(r.type(), t -> new ArrayList<>()).add(insert.bind(r.type(), r.id(), r.firstSeenMs()));
          }
          return inBatches(byType, REGISTRATIONS_PER_BATCH);
        });
  }

  /**
   * Writes rows in unlogged batches of at most {@code perBatch}, each within one partition: a single-partition batch
   * is one mutation for Cassandra (no batch log, no size warning).
   */
  private CompletableFuture<Void> inBatches(Map<String, List<BoundStatement>> rowsByPartition, int perBatch) {
    List<CompletableFuture<?>> writes = new ArrayList<>();
    for (List<BoundStatement> rows : rowsByPartition.values()) {
      for (int from = 0; from < rows.size(); from += perBatch) {
        List<BoundStatement> chunk = rows.subList(from, Math.min(rows.size(), from + perBatch));
        writes.add(session
            .executeWriteBatch(BatchStatement.newInstance(DefaultBatchType.UNLOGGED).addAll(chunk))
            .toCompletableFuture());
      }
    }
    return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new));
  }

  /**
   * Records alerts; idempotent (same key, same row). Alerts of one day share a partition, so they go in unlogged
   * batches of at most {@link #ALERTS_PER_BATCH} rows: one request per batch instead of one per alert, which under a
   * backlog (tens of thousands of alerts) saves both the node and Cassandra most of the work.
   */
  CompletionStage<?> recordAlerts(List<AlertView> alerts) {
    if (alerts.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    return session
        .prepare("INSERT INTO " + keyspace + ".recent_alerts (day, detected_at, alert_id, alert) VALUES (?, ?, ?, ?)")
        .thenCompose(insert -> {
          Map<String, List<BoundStatement>> byDay = new LinkedHashMap<>();
          for (AlertView alert : alerts) {
            String day = day(alert.detectedAt());
            byDay.computeIfAbsent(day, d -> new ArrayList<>())
                .add(insert.bind(day, alert.detectedAt(), alert.alertId(), json(alert)));
          }
          return inBatches(byDay, ALERTS_PER_BATCH);
        });
  }

  @Override
  public CompletionStage<List<String>> entityIds(String type, String after, int limit) {
    CompletionStage<List<Row>> rows =
        after == null
            ? session.selectAll(
                "SELECT entity_id FROM " + keyspace + ".entity_ids WHERE entity_type = ? LIMIT ?", type, limit)
            : session.selectAll(
                "SELECT entity_id FROM " + keyspace + ".entity_ids WHERE entity_type = ? AND entity_id > ? LIMIT ?",
                type, after, limit);
    return rows.thenApply(list -> list.stream().map(row -> row.getString("entity_id")).toList());
  }

  @Override
  public CompletionStage<List<AlertView>> recentAlerts(long sinceMs, AlertCursor before, int limit) {
    long now = clock.millis();
    long oldest = Math.max(sinceMs, now - ALERTS_KEPT_DAYS * 86_400_000L);
    // A cursor in the future would walk day by day from there: nothing can be newer than now.
    AlertCursor from = before == null || before.detectedAt() > now ? new AlertCursor(now + 1, "") : before;
    return newestFirst(LocalDate.parse(day(from.detectedAt())), LocalDate.parse(day(oldest)), from, oldest, limit,
        new ArrayList<>());
  }

  private CompletionStage<List<AlertView>> newestFirst(
      LocalDate day, LocalDate lastDay, AlertCursor before, long oldest, int limit, List<AlertView> found) {
    if (day.isBefore(lastDay) || found.size() >= limit) {
      return CompletableFuture.completedFuture(found);
    }
    return session
        .selectAll(
            "SELECT alert, detected_at FROM " + keyspace + ".recent_alerts WHERE day = ? "
                + "AND (detected_at, alert_id) < (?, ?) LIMIT ?",
            day.toString(), before.detectedAt(), before.alertId(), limit - found.size())
        .thenCompose(rows -> {
          for (Row row : rows) {
            if (row.getLong("detected_at") < oldest) {
              return CompletableFuture.completedFuture(found);
            }
            found.add(alert(row.getString("alert")));
          }
          return newestFirst(day.minusDays(1), lastDay, before, oldest, limit, found);
        });
  }

  @Override
  public CompletionStage<List<AlertView>> alertsAfter(AlertCursor after, int limit) {
    long oldest = clock.millis() - ALERTS_KEPT_DAYS * 86_400_000L;
    AlertCursor from = after.detectedAt() < oldest ? new AlertCursor(oldest, "") : after;
    return oldestFirst(LocalDate.parse(day(from.detectedAt())), LocalDate.parse(day(clock.millis())), from, limit,
        new ArrayList<>());
  }

  private CompletionStage<List<AlertView>> oldestFirst(
      LocalDate day, LocalDate today, AlertCursor after, int limit, List<AlertView> found) {
    if (day.isAfter(today) || found.size() >= limit) {
      return CompletableFuture.completedFuture(found);
    }
    return session
        .selectAll(
            "SELECT alert FROM " + keyspace + ".recent_alerts WHERE day = ? AND (detected_at, alert_id) > (?, ?) "
                + "ORDER BY detected_at ASC, alert_id ASC LIMIT ?",
            day.toString(), after.detectedAt(), after.alertId(), limit - found.size())
        .thenCompose(rows -> {
          rows.forEach(row -> found.add(alert(row.getString("alert"))));
          return oldestFirst(day.plusDays(1), today, after, limit, found);
        });
  }

  private String json(AlertView alert) {
    try {
      return mapper.writeValueAsString(alert);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("an AlertView always serializes", e);
    }
  }

  private AlertView alert(String json) {
    try {
      return mapper.readValue(json, AlertView.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("recent_alerts holds AlertView JSON written by this class", e);
    }
  }
}
