package io.tidewatch.persistence.readside;

import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.DefaultBatchType;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidewatch.persistence.output.OutputSink;
import io.tidewatch.persistence.state.EntityState;
import io.tidewatch.protocol.AlertView;
import io.tidewatch.protocol.IncidentTransition;
import io.tidewatch.protocol.IncidentView;
import io.tidewatch.protocol.EntityProtocol.Outputs;
import io.tidewatch.protocol.EntityProtocol.WindowClosed;
import io.tidewatch.protocol.WindowView;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;
import org.apache.pekko.stream.connectors.cassandra.CassandraSessionSettings;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSessionRegistry;

/**
 * The read side in Cassandra (deploy's tidewatch.cql), written with the outputs, before the ingest commits the
 * readings that produced them ({@link OutputSink}):
 * <ul>
 *   <li>{@code entity_ids}: one partition per entity type, in id order; an entity is listed with its first
 *       outputs, before the ingest commits its first readings ({@link EntityIndex}).
 *   <li>{@code entity_windows}: every closed window, one row per metric, one partition per entity and UTC month of
 *       the window end, newest end first; {@code entity_alerts}: every alert, per entity and month of its event
 *       time, newest first; {@code entity_buckets}: which months an entity has of each, so a page walks only those.
 *   <li>{@code recent_alerts}: the alerts of all entities per UTC day of detection, newest first, kept for
 *       {@link #ALERTS_KEPT_DAYS} days.
 *   <li>{@code entity_incidents} and {@code open_incidents}: incidents per entity, and the open ones of all
 *       ({@link IncidentTables}).
 * </ul>
 * Rows of one partition go in one unlogged batch (one mutation for Cassandra); every write is idempotent.
 */
public final class CassandraReadSide implements ReadSide, EntityIndex, OutputSink {

  /** Rows of recent_alerts expire after this many days (the table's TTL); older alerts stay in the other tables. */
  public static final int ALERTS_KEPT_DAYS = 7;
  /** Rows per batch of alert writes: keeps each batch well below the mutation size limit (alerts are ~300 bytes). */
  static final int ALERTS_PER_BATCH = 100;
  /** Registrations per write; each write is one batch per entity type. */
  static final int REGISTRATIONS_PER_BATCH = 500;
  /** Window rows per batch (~400 bytes each). */
  static final int WINDOWS_PER_BATCH = 100;
  /** Rows read per query while paging one entity's windows or alerts through filters. */
  static final int ROWS_PER_READ = 200;
  private static final String SESSION_CONFIG = "tidewatch.cassandra.session";
  private static final DateTimeFormatter MONTH = DateTimeFormatter.ofPattern("uuuu-MM").withZone(ZoneOffset.UTC);

  private record Registration(String type, String id, long firstSeenMs) {}

  /** An alert with its JSON, rendered once for both tables that keep it. */
  private record AlertRow(AlertView alert, String json) {}

  private final CassandraSession session;
  private final String keyspace;
  private final ObjectMapper mapper;
  private final Clock clock;
  private final Map<String, CompletionStage<PreparedStatement>> prepared = new ConcurrentHashMap<>();
  private final GroupedWrites<Registration> registrations =
      new GroupedWrites<>(REGISTRATIONS_PER_BATCH, this::writeRegistrations);
  // Alerts of every entity share a day's partition: those published while a write is in flight share the next one.
  private final GroupedWrites<AlertRow> recentAlerts = new GroupedWrites<>(ALERTS_PER_BATCH * 5, this::recordAlerts);
  private final IncidentTables incidents;

  public CassandraReadSide(CassandraSession session, String keyspace, ObjectMapper mapper, Clock clock) {
    this.session = session;
    this.keyspace = keyspace;
    this.mapper = mapper;
    this.clock = clock;
    this.incidents = new IncidentTables(session, keyspace, mapper, this::prepare);
  }

  /** The read side tables of this node's keyspace. */
  public static CassandraReadSide create(ActorSystem<?> system) {
    CassandraSession session = session(system);
    ObjectMapper mapper =
        JacksonObjectMapperProvider.get(system.classicSystem()).getOrCreate("jackson-json", Optional.empty());
    return new CassandraReadSide(
        session, system.settings().config().getString("tidewatch.cassandra.keyspace"), mapper, Clock.systemUTC());
  }

  /** The node's Cassandra session for the read side ({@code tidewatch.cassandra.session}), shared through the registry. */
  public static CassandraSession session(ActorSystem<?> system) {
    return CassandraSessionRegistry.get(system).sessionFor(CassandraSessionSettings.create(SESSION_CONFIG));
  }

  /** Statements are prepared once per node; a failed preparation is tried again next time. */
  private CompletionStage<PreparedStatement> prepare(String cql) {
    return prepared.computeIfAbsent(cql, q -> session.prepare(q).whenComplete((ok, failure) -> {
      if (failure != null) {
        prepared.remove(q);
      }
    }));
  }

  static String month(long epochMs) {
    return MONTH.format(Instant.ofEpochMilli(epochMs));
  }

  static String day(long epochMs) {
    return LocalDate.ofInstant(Instant.ofEpochMilli(epochMs), ZoneOffset.UTC).toString();
  }

  /**
   * Lists the entity; listing it again changes nothing but its first-seen time. Registrations arriving while one is
   * written share the next write ({@link GroupedWrites}).
   */
  private CompletionStage<?> register(String type, String id, long firstSeenMs) {
    return registrations.add(new Registration(type, id, firstSeenMs));
  }

  /** One unlogged batch per entity type: the rows of a type share a partition. */
  private CompletionStage<?> writeRegistrations(List<Registration> group) {
    return prepare("INSERT INTO " + keyspace + ".entity_ids (entity_type, entity_id, first_seen) VALUES (?, ?, ?)")
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
   * Records alerts in recent_alerts; idempotent (same key, same row). Alerts of one day share a partition, so they go
   * in unlogged batches of at most {@link #ALERTS_PER_BATCH} rows: one request per batch instead of one per alert,
   * which under a backlog (tens of thousands of alerts) saves both the node and Cassandra most of the work.
   */
  private CompletionStage<?> recordAlerts(List<AlertRow> alerts) {
    return prepare("INSERT INTO " + keyspace + ".recent_alerts (day, detected_at, alert_id, alert) VALUES (?, ?, ?, ?)")
        .thenCompose(insert -> {
          Map<String, List<BoundStatement>> byDay = new LinkedHashMap<>();
          for (AlertRow row : alerts) {
            String day = day(row.alert().detectedAt());
            byDay.computeIfAbsent(day, d -> new ArrayList<>())
                .add(insert.bind(day, row.alert().detectedAt(), row.alert().alertId(), row.json()));
          }
          return inBatches(byDay, ALERTS_PER_BATCH);
        });
  }

  /**
   * Writes the entity's windows (a row per metric) and alerts into its tables, the months they fall in into
   * entity_buckets, the alerts into recent_alerts, and its listing if the outputs carry its registration.
   */
  @Override
  public CompletionStage<?> publish(String type, String id, Outputs outputs) {
    if (outputs.registration() != null) {
      CompletionStage<?> listed = register(type, id, outputs.registration().firstSeenMs());
      Outputs rest = new Outputs(outputs.windows(), outputs.alerts(), outputs.incidents(), null);
      return rest.isEmpty() ? listed : listed.thenCombine(publish(type, id, rest), (a, b) -> null);
    }
    if (outputs.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    CompletionStage<PreparedStatement> windowInsert = prepare("INSERT INTO " + keyspace + ".entity_windows "
        + "(entity_type, entity_id, bucket, window_end, spec, window_start, metric, window) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    CompletionStage<PreparedStatement> alertInsert = prepare("INSERT INTO " + keyspace + ".entity_alerts "
        + "(entity_type, entity_id, bucket, ts, alert_id, alert) VALUES (?, ?, ?, ?, ?, ?)");
    CompletionStage<PreparedStatement> bucketInsert = prepare(
        "INSERT INTO " + keyspace + ".entity_buckets (entity_type, entity_id, kind, bucket) VALUES (?, ?, ?, ?)");
    List<AlertRow> alerts = outputs.alerts().stream()
        .map(a -> AlertView.of(type, id, a))
        .map(view -> new AlertRow(view, json(view)))
        .toList();
    List<CompletableFuture<?>> writes = new ArrayList<>();
    for (AlertRow alert : alerts) {
      writes.add(recentAlerts.add(alert).toCompletableFuture());
    }
    writes.add(incidents.publish(type, id, outputs.incidents()).toCompletableFuture());
    writes.add(windowInsert.thenCombine(alertInsert, (w, a) -> List.of(w, a)).thenCombine(bucketInsert, (wa, b) -> {
      Map<String, List<BoundStatement>> byPartition = new LinkedHashMap<>();
      List<BoundStatement> buckets = new ArrayList<>();
      Set<String> months = new HashSet<>();
      for (WindowClosed closed : outputs.windows()) {
        String month = month(closed.end());
        if (months.add("windows/" + month)) {
          buckets.add(b.bind(type, id, "windows", month));
        }
        for (WindowView view : EntityState.views(closed)) {
          byPartition.computeIfAbsent("windows/" + month, m -> new ArrayList<>()).add(wa.get(0).bind(
              type, id, month, view.end(), view.spec(), view.start(), WindowCursor.of(view).metric(), json(view)));
        }
      }
      for (AlertRow row : alerts) {
        String month = month(row.alert().ts());
        if (months.add("alerts/" + month)) {
          buckets.add(b.bind(type, id, "alerts", month));
        }
        byPartition.computeIfAbsent("alerts/" + month, m -> new ArrayList<>())
            .add(wa.get(1).bind(type, id, month, row.alert().ts(), row.alert().alertId(), row.json()));
      }
      byPartition.put("buckets", buckets); // one partition: the entity's
      return byPartition;
    }).thenCompose(rows -> inBatches(rows, WINDOWS_PER_BATCH)).toCompletableFuture());
    return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new));
  }

  @Override
  public CompletionStage<?> outputsPending(String type, String id, boolean pending) {
    return prepare("UPDATE " + keyspace + ".entity_ids SET outputs_pending = ? WHERE entity_type = ? AND entity_id = ?")
        .thenCompose(update -> session.executeWrite(update.bind(pending, type, id)));
  }

  /** Through the table's storage-attached index on outputs_pending: reads only the marked rows. */
  @Override
  public CompletionStage<List<String>> withOutputsPending(String type) {
    return session
        .selectAll(
            "SELECT entity_id FROM " + keyspace + ".entity_ids WHERE entity_type = ? AND outputs_pending = true", type)
        .thenApply(rows -> rows.stream().map(row -> row.getString("entity_id")).toList());
  }

  @Override
  public CompletionStage<?> expiresAt(
      String type, String id, long heardAt, long seqNr, long expiresAt, boolean heardKnown) {
    // Not expired_at: clearing it here would write a tombstone into the type's partition at every passivation;
    // heardAfterExpiry clears it, once per expiry.
    return prepare("UPDATE " + keyspace + ".entity_ids USING TIMESTAMP ? SET expires_at = ?, heard_at = ?,"
            + " heard_seq = ? WHERE entity_type = ? AND entity_id = ?")
        .thenCompose(update -> session.executeWrite(update.bind(
            EntityIndex.expiryWriteTime(seqNr, heardKnown), expiresAt, heardAt, seqNr, type, id)));
  }

  @Override
  public CompletionStage<?> expired(String type, String id, long expiredAt, long seqNr) {
    return prepare("UPDATE " + keyspace + ".entity_ids USING TIMESTAMP ? SET expired_at = ?, expires_at = null,"
            + " heard_seq = ? WHERE entity_type = ? AND entity_id = ?")
        .thenCompose(update -> session.executeWrite(update.bind(
            EntityIndex.expiryWriteTime(seqNr, true), expiredAt, seqNr, type, id)));
  }

  @Override
  public CompletionStage<?> heardAfterExpiry(String type, String id, long seqNr) {
    return prepare("UPDATE " + keyspace + ".entity_ids USING TIMESTAMP ? SET expired_at = null"
            + " WHERE entity_type = ? AND entity_id = ?")
        .thenCompose(update -> session.executeWrite(update.bind(EntityIndex.expiryWriteTime(seqNr, true), type, id)));
  }

  /** Through the table's storage-attached index on expires_at: reads only the rows due, in entity_id order. */
  @Override
  public CompletionStage<List<DueExpiry>> dueToExpire(String type, long nowMs, String after, int limit) {
    return session
        .selectAll("SELECT entity_id, heard_at, heard_seq FROM " + keyspace + ".entity_ids"
            + " WHERE entity_type = ? AND entity_id > ? AND expires_at <= ? LIMIT ?", type, after, nowMs, limit)
        .thenApply(rows -> rows.stream()
            .map(row -> new DueExpiry(row.getString("entity_id"), row.getLong("heard_at"), row.getLong("heard_seq")))
            .toList());
  }

  @Override
  public CompletionStage<Boolean> listed(String type, String id) {
    return session
        .selectOne("SELECT entity_id FROM " + keyspace + ".entity_ids WHERE entity_type = ? AND entity_id = ?", type, id)
        .thenApply(Optional::isPresent);
  }

  @Override
  public CompletionStage<List<WindowView>> windows(
      String type, String id, WindowFilter filter, WindowCursor after, int limit) {
    String oldestMonth = filter.from() == null ? "" : month(filter.from());
    // The cursor's position applies within its own month; newer months hold nothing after it.
    String newestMonth = after == null ? null : month(after.end());
    return buckets(type, id, "windows").thenCompose(months -> newestFirst(
        months.stream()
            .filter(m -> m.compareTo(oldestMonth) >= 0 && (newestMonth == null || m.compareTo(newestMonth) <= 0))
            .toList(),
        "entity_windows",
        "(window_end, spec, window_start, metric)",
        type,
        id,
        after == null ? null : new Object[] {after.end(), after.spec(), after.start(), after.metric()},
        row -> read(row.getString("window"), WindowView.class),
        view -> new Object[] {view.end(), view.spec(), view.start(), WindowCursor.of(view).metric()},
        filter::matches,
        filter::pastTheOldest,
        limit,
        new ArrayList<>()));
  }

  @Override
  public CompletionStage<List<AlertView>> entityAlerts(
      String type, String id, Long from, Long to, AlertCursor after, int limit) {
    String oldestMonth = from == null ? "" : month(from);
    AlertCursor start = to != null && (after == null || after.time() >= to) ? new AlertCursor(to, "") : after;
    return buckets(type, id, "alerts").thenCompose(months -> newestFirst(
        months.stream()
            .filter(m -> m.compareTo(oldestMonth) >= 0 && (start == null || m.compareTo(month(start.time())) <= 0))
            .toList(),
        "entity_alerts",
        "(ts, alert_id)",
        type,
        id,
        start == null ? null : new Object[] {start.time(), start.alertId()},
        row -> read(row.getString("alert"), AlertView.class),
        alert -> new Object[] {alert.ts(), alert.alertId()},
        alert -> true,
        alert -> from != null && alert.ts() < from,
        limit,
        new ArrayList<>()));
  }

  /** The months an entity has rows of {@code kind} in, newest first. */
  private CompletionStage<List<String>> buckets(String type, String id, String kind) {
    return session
        .selectAll(
            "SELECT bucket FROM " + keyspace + ".entity_buckets WHERE entity_type = ? AND entity_id = ? AND kind = ?",
            type, id, kind)
        .thenApply(rows -> rows.stream().map(row -> row.getString("bucket")).toList());
  }

  /**
   * The one paging walk of the per-entity tables: rows of the {@code months} partitions (newest first) in clustering
   * order, after the position {@code after} (the clustering values of {@code positionColumns}), {@code ROWS_PER_READ}
   * at a time, keeping those that {@code keep} accepts, until {@code limit} are found or {@code pastTheOldest} says
   * no later row can match.
   */
  private <T> CompletionStage<List<T>> newestFirst(
      List<String> months,
      String table,
      String positionColumns,
      String type,
      String id,
      Object[] after,
      Function<Row, T> decode,
      Function<T, Object[]> position,
      Predicate<T> keep,
      Predicate<T> pastTheOldest,
      int limit,
      List<T> found) {
    if (months.isEmpty() || found.size() >= limit) {
      return CompletableFuture.completedFuture(found);
    }
    String month = months.get(0);
    String where = "entity_type = ? AND entity_id = ? AND bucket = ?";
    List<Object> values = new ArrayList<>(List.of(type, id, month));
    if (after != null) {
      int columns = after.length;
      where += " AND " + positionColumns + " < (" + String.join(", ", Collections.nCopies(columns, "?")) + ")";
      values.addAll(List.of(after));
    }
    values.add(ROWS_PER_READ);
    return session
        .selectAll("SELECT * FROM " + keyspace + "." + table + " WHERE " + where + " LIMIT ?", values.toArray())
        .thenCompose(rows -> {
          T last = null;
          for (Row row : rows) {
            T item = decode.apply(row);
            if (pastTheOldest.test(item)) {
              return CompletableFuture.completedFuture(found);
            }
            if (keep.test(item)) {
              found.add(item);
              if (found.size() >= limit) {
                return CompletableFuture.completedFuture(found);
              }
            }
            last = item;
          }
          return rows.size() < ROWS_PER_READ
              ? newestFirst(months.subList(1, months.size()), table, positionColumns, type, id, null, decode, position,
                  keep, pastTheOldest, limit, found)
              : newestFirst(months, table, positionColumns, type, id, position.apply(last), decode, position, keep,
                  pastTheOldest, limit, found);
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
    AlertCursor from = before == null || before.time() > now ? new AlertCursor(now + 1, "") : before;
    return recentNewestFirst(LocalDate.parse(day(from.time())), LocalDate.parse(day(oldest)), from, oldest, limit,
        new ArrayList<>());
  }

  private CompletionStage<List<AlertView>> recentNewestFirst(
      LocalDate day, LocalDate lastDay, AlertCursor before, long oldest, int limit, List<AlertView> found) {
    if (day.isBefore(lastDay) || found.size() >= limit) {
      return CompletableFuture.completedFuture(found);
    }
    return session
        .selectAll(
            "SELECT alert, detected_at FROM " + keyspace + ".recent_alerts WHERE day = ? "
                + "AND (detected_at, alert_id) < (?, ?) LIMIT ?",
            day.toString(), before.time(), before.alertId(), limit - found.size())
        .thenCompose(rows -> {
          for (Row row : rows) {
            if (row.getLong("detected_at") < oldest) {
              return CompletableFuture.completedFuture(found);
            }
            found.add(alert(row.getString("alert")));
          }
          return recentNewestFirst(day.minusDays(1), lastDay, before, oldest, limit, found);
        });
  }

  @Override
  public CompletionStage<List<IncidentView>> entityIncidents(
      String type, String id, String state, String afterId, int limit) {
    return incidents.ofEntity(type, id, state, afterId, limit);
  }

  @Override
  public CompletionStage<List<IncidentView>> openIncidents(AlertCursor after, int limit) {
    return incidents.open(after, limit);
  }

  @Override
  public CompletionStage<List<IncidentTransition>> incidentTransitionsAfter(AlertCursor after, int limit) {
    long oldest = clock.millis() - ALERTS_KEPT_DAYS * 86_400_000L;
    AlertCursor from = after.time() < oldest ? new AlertCursor(oldest, "") : after;
    return incidents.transitionsAfter(from, LocalDate.parse(day(clock.millis())), limit);
  }

  @Override
  public CompletionStage<List<AlertView>> alertsAfter(AlertCursor after, int limit) {
    long oldest = clock.millis() - ALERTS_KEPT_DAYS * 86_400_000L;
    AlertCursor from = after.time() < oldest ? new AlertCursor(oldest, "") : after;
    return oldestFirst(LocalDate.parse(day(from.time())), LocalDate.parse(day(clock.millis())), from, limit,
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
            day.toString(), after.time(), after.alertId(), limit - found.size())
        .thenCompose(rows -> {
          rows.forEach(row -> found.add(alert(row.getString("alert"))));
          return oldestFirst(day.plusDays(1), today, after, limit, found);
        });
  }

  private String json(Object row) {
    try {
      return mapper.writeValueAsString(row);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("views always serialize", e);
    }
  }

  private <T> T read(String json, Class<T> view) {
    try {
      return mapper.readValue(json, view);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("the read side holds " + view.getSimpleName() + " JSON written by this class", e);
    }
  }

  private AlertView alert(String json) {
    return read(json, AlertView.class);
  }
}
