package io.tidewatch.persistence.readside;

import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchStatementBuilder;
import com.datastax.oss.driver.api.core.cql.DefaultBatchType;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidewatch.protocol.EntityProtocol;
import io.tidewatch.protocol.EntityProtocol.IncidentChanged;
import io.tidewatch.protocol.IncidentTransition;
import io.tidewatch.protocol.IncidentView;
import io.tidewatch.protocol.Severity;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;

/**
 * The incidents of the read side (deploy's tidewatch.cql), written from their transitions:
 * <ul>
 *   <li>{@code entity_incidents}: every incident of an entity, one partition per entity, newest first (by the entry
 *       number in the incident id);
 *   <li>{@code open_incidents}: the incidents of all entities that are open, in {@link #OPEN_BUCKETS} partitions by
 *       incident id; a resolution deletes the row.
 *   <li>{@code recent_incident_transitions}: every transition of all entities per UTC day of the transition, for the
 *       live stream, kept {@link CassandraReadSide#ALERTS_KEPT_DAYS} days.
 * </ul>
 * Each transition writes only the columns it knows, with a write time of the incident's opening time plus the
 * transition's rank ({@link #writeTime}): a repeat of an older transition (outputs are at least once, and a
 * redelivery publishes them again) loses to the newer one, so an incident never reopens or de-escalates in the
 * tables.
 */
final class IncidentTables {

  /** Partitions of open_incidents: spread so that no one partition takes every entity's incidents. */
  static final int OPEN_BUCKETS = 16;

  private final CassandraSession session;
  private final String keyspace;
  private final ObjectMapper mapper;
  private final Function<String, CompletionStage<PreparedStatement>> prepare;

  IncidentTables(
      CassandraSession session,
      String keyspace,
      ObjectMapper mapper,
      Function<String, CompletionStage<PreparedStatement>> prepare) {
    this.session = session;
    this.keyspace = keyspace;
    this.mapper = mapper;
    this.prepare = prepare;
  }

  static int bucket(String incidentId) {
    return Math.floorMod(incidentId.hashCode(), OPEN_BUCKETS);
  }

  /** The entry number an incident id ends with ({@code <entityId>:<entry>}). */
  static long entry(String incidentId) {
    return Long.parseLong(incidentId.substring(incidentId.lastIndexOf(':') + 1));
  }

  /**
   * Microseconds, as Cassandra's write times: the incident's opening time, then the transition's rank (opened,
   * escalations by severity, resolved). Every transition of an incident carries its opening time, so its write times
   * grow with its lifecycle whichever node made each transition and whatever that node's clock says.
   */
  static long writeTime(IncidentChanged change) {
    return change.openedAt() * 1000 + IncidentTransition.rank(change.transition(), change.severity());
  }

  /** Writes the transitions of one entity: its partition in one unlogged batch, each open_incidents row alone. */
  CompletionStage<?> publish(String type, String id, List<IncidentChanged> changes) {
    if (changes.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    CompletionStage<PreparedStatement> opened = prepare.apply("INSERT INTO " + keyspace + ".entity_incidents "
        + "(entity_type, entity_id, entry, incident_id, rule, metric, severity, state, alert_id, opened_at, opened_ts, "
        + "config_version) VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?) USING TIMESTAMP ?");
    CompletionStage<PreparedStatement> escalated = prepare.apply("INSERT INTO " + keyspace + ".entity_incidents "
        + "(entity_type, entity_id, entry, incident_id, rule, metric, severity, opened_at, escalated_at, config_version) "
        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP ?");
    CompletionStage<PreparedStatement> resolved = prepare.apply("INSERT INTO " + keyspace + ".entity_incidents "
        + "(entity_type, entity_id, entry, incident_id, rule, metric, severity, state, opened_at, resolved_at, "
        + "resolved_ts, config_version) VALUES (?, ?, ?, ?, ?, ?, ?, 'resolved', ?, ?, ?, ?) USING TIMESTAMP ?");
    // Never a null bound: it would write a tombstone over what another transition wrote.
    CompletionStage<PreparedStatement> open = prepare.apply("INSERT INTO " + keyspace + ".open_incidents "
        + "(bucket, incident_id, entity_type, entity_id, rule, metric, severity, alert_id, opened_at, opened_ts, "
        + "config_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP ?");
    CompletionStage<PreparedStatement> worse = prepare.apply("INSERT INTO " + keyspace + ".open_incidents "
        + "(bucket, incident_id, entity_type, entity_id, rule, metric, severity, opened_at, escalated_at, config_version) "
        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP ?");
    CompletionStage<PreparedStatement> closed = prepare.apply(
        "DELETE FROM " + keyspace + ".open_incidents USING TIMESTAMP ? WHERE bucket = ? AND incident_id = ?");
    CompletionStage<PreparedStatement> recent = prepare.apply("INSERT INTO " + keyspace
        + ".recent_incident_transitions (day, at, position, transition) VALUES (?, ?, ?, ?)");
    return CompletableFuture.allOf(
            opened.toCompletableFuture(), escalated.toCompletableFuture(), resolved.toCompletableFuture(),
            open.toCompletableFuture(), worse.toCompletableFuture(), closed.toCompletableFuture(),
            recent.toCompletableFuture())
        .thenCompose(ready -> {
          BatchStatementBuilder entity = BatchStatement.builder(DefaultBatchType.UNLOGGED);
          List<CompletableFuture<?>> writes = new ArrayList<>();
          for (IncidentChanged c : changes) {
            long entry = entry(c.incidentId());
            String severity = c.severity().id();
            long at = writeTime(c);
            int version = c.configVersion() == null ? EntityProtocol.FIRST_CONFIG_VERSION : c.configVersion();
            IncidentTransition transition = IncidentTransition.of(type, id, c);
            writes.add(session.executeWrite(join(recent).bind(CassandraReadSide.day(c.at()), c.at(),
                transition.streamPosition(), json(transition))).toCompletableFuture());
            switch (c.transition()) {
              case OPENED -> {
                entity.addStatement(join(opened).bind(type, id, entry, c.incidentId(), c.rule(), c.metric(), severity,
                    c.alertId(), c.openedAt(), c.ts(), version, at));
                writes.add(session.executeWrite(join(open).bind(bucket(c.incidentId()), c.incidentId(), type, id,
                    c.rule(), c.metric(), severity, c.alertId(), c.openedAt(), c.ts(), version, at)).toCompletableFuture());
              }
              case ESCALATED -> {
                entity.addStatement(join(escalated).bind(type, id, entry, c.incidentId(), c.rule(), c.metric(),
                    severity, c.openedAt(), c.at(), version, at));
                writes.add(session.executeWrite(join(worse).bind(bucket(c.incidentId()), c.incidentId(), type, id,
                    c.rule(), c.metric(), severity, c.openedAt(), c.at(), version, at)).toCompletableFuture());
              }
              case RESOLVED -> {
                entity.addStatement(join(resolved).bind(type, id, entry, c.incidentId(), c.rule(), c.metric(),
                    severity, c.openedAt(), c.at(), c.ts(), version, at));
                writes.add(session.executeWrite(join(closed).bind(at, bucket(c.incidentId()), c.incidentId()))
                    .toCompletableFuture());
              }
            }
          }
          writes.add(session.executeWriteBatch(entity.build()).toCompletableFuture());
          return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new));
        });
  }

  private String json(IncidentTransition transition) {
    try {
      return mapper.writeValueAsString(transition);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("transitions are plain records and always serialize", e);
    }
  }

  /** Transitions after {@code after} (time, {@link IncidentTransition#streamPosition}), oldest first, from its day to today. */
  CompletionStage<List<IncidentTransition>> transitionsAfter(AlertCursor after, LocalDate today, int limit) {
    return transitionsAfter(LocalDate.parse(CassandraReadSide.day(after.time())), today, after, limit, new ArrayList<>());
  }

  private CompletionStage<List<IncidentTransition>> transitionsAfter(
      LocalDate day, LocalDate today, AlertCursor after, int limit, List<IncidentTransition> found) {
    if (day.isAfter(today) || found.size() >= limit) {
      return CompletableFuture.completedFuture(found);
    }
    return session
        .selectAll(
            "SELECT transition FROM " + keyspace + ".recent_incident_transitions WHERE day = ? "
                + "AND (at, position) > (?, ?) ORDER BY at ASC, position ASC LIMIT ?",
            day.toString(), after.time(), after.alertId(), limit - found.size())
        .thenCompose(rows -> {
          for (Row row : rows) {
            try {
              found.add(mapper.readValue(row.getString("transition"), IncidentTransition.class));
            } catch (JsonProcessingException e) {
              throw new IllegalStateException("recent_incident_transitions holds transitions written by this class", e);
            }
          }
          return transitionsAfter(day.plusDays(1), today, after, limit, found);
        });
  }

  private static PreparedStatement join(CompletionStage<PreparedStatement> ready) {
    return ready.toCompletableFuture().join(); // completed: publish waits for every statement first
  }

  /**
   * The entity's incidents, newest first, after the incident {@code afterId} (null from the newest), in {@code state}
   * (null for all).
   */
  CompletionStage<List<IncidentView>> ofEntity(String type, String id, String state, String afterId, int limit) {
    return ofEntity(type, id, state, afterId == null ? Long.MAX_VALUE : entry(afterId), limit, new ArrayList<>());
  }

  private CompletionStage<List<IncidentView>> ofEntity(
      String type, String id, String state, long beforeEntry, int limit, List<IncidentView> found) {
    int read = Math.max(limit, 50);
    return session
        .selectAll("SELECT * FROM " + keyspace + ".entity_incidents WHERE entity_type = ? AND entity_id = ? "
            + "AND entry < ? LIMIT ?", type, id, beforeEntry, read)
        .thenCompose(rows -> {
          for (Row row : rows) {
            IncidentView incident = view(type, id, row);
            if (state == null || state.equals(incident.state())) {
              found.add(incident);
              if (found.size() >= limit) {
                return CompletableFuture.completedFuture(found);
              }
            }
          }
          return rows.size() < read
              ? CompletableFuture.completedFuture(found)
              : ofEntity(type, id, state, rows.get(rows.size() - 1).getLong("entry"), limit, found);
        });
  }

  /**
   * Open incidents of all entities, newest opening first, after {@code after} (opening time and incident id of the
   * previous page's last). Reads every open row: a page of a list that is meant to be short.
   */
  CompletionStage<List<IncidentView>> open(AlertCursor after, int limit) {
    List<CompletableFuture<List<Row>>> buckets = new ArrayList<>();
    for (int bucket = 0; bucket < OPEN_BUCKETS; bucket++) {
      buckets.add(session
          .selectAll("SELECT * FROM " + keyspace + ".open_incidents WHERE bucket = ?", bucket)
          .toCompletableFuture());
    }
    return CompletableFuture.allOf(buckets.toArray(CompletableFuture[]::new)).thenApply(done -> buckets.stream()
        .flatMap(rows -> rows.join().stream())
        .filter(row -> !row.isNull("opened_at")) // an escalation whose opening is not written yet
        .map(row -> view(row.getString("entity_type"), row.getString("entity_id"), row))
        .filter(incident -> after == null
            || new AlertCursor(incident.openedAt(), incident.incidentId()).compareTo(after) < 0)
        .sorted(Comparator.comparingLong(IncidentView::openedAt).thenComparing(IncidentView::incidentId).reversed())
        .limit(limit)
        .toList());
  }

  /** A row of either table; one without a state is open (its escalation arrived before its opening). */
  private static IncidentView view(String type, String id, Row row) {
    String state = row.getColumnDefinitions().contains("state") ? row.getString("state") : null;
    return new IncidentView(
        row.getString("incident_id"),
        type,
        id,
        row.getString("rule"),
        row.getString("metric"),
        state == null ? IncidentView.OPEN : state,
        row.isNull("severity") ? null : Severity.of(row.getString("severity")),
        row.getString("alert_id"),
        row.isNull("opened_at") ? 0 : row.getLong("opened_at"),
        row.isNull("escalated_at") ? null : row.getLong("escalated_at"),
        optionalLong(row, "resolved_at"),
        optionalLong(row, "opened_ts"),
        optionalLong(row, "resolved_ts"),
        row.getColumnDefinitions().contains("config_version") && !row.isNull("config_version")
            ? row.getInt("config_version") : null);
  }

  private static Long optionalLong(Row row, String column) {
    return row.getColumnDefinitions().contains(column) && !row.isNull(column) ? row.getLong(column) : null;
  }
}
