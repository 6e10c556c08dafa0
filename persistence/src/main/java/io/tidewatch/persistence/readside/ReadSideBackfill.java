package io.tidewatch.persistence.readside;

import io.tidewatch.persistence.query.EntityJournal;
import io.tidewatch.protocol.EntityProtocol.AnomalyDetected;
import io.tidewatch.protocol.EntityProtocol.Event;
import io.tidewatch.protocol.EntityProtocol.Outputs;
import io.tidewatch.protocol.EntityProtocol.WindowClosed;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * Fills the per-entity window and alert tables from the journals, once, for a keyspace written before outputs left
 * with the entities' replies (when only the projections wrote a read side, and only recent alerts): every listed
 * entity's journal is read through and its closed windows and alerts are written as {@link CassandraReadSide#publish}
 * writes new ones. Idempotent (same keys, same rows), so a run that stopped halfway is simply run again.
 */
public final class ReadSideBackfill {

  /** What one run wrote. */
  public record Report(long entities, long windows, long alerts) {}

  /** Outputs written per publish: bounds the memory one long journal needs. */
  static final int OUTPUTS_PER_WRITE = 500;
  private static final int IDS_PER_PAGE = 500;

  /**
   * Tables nothing reads any more: the projections' offsets and management rows, and events-by-tag's views and
   * progress (the plugin writes none of them with events-by-tag off).
   */
  public static final List<String> RETIRED_TABLES =
      List.of("offset_store", "projection_management", "tag_views", "tag_write_progress", "tag_scanning");

  private final ActorSystem<?> system;
  private final EntityJournal journal;
  private final CassandraReadSide readSide;
  private final CassandraSession session;
  private final String keyspace;

  public ReadSideBackfill(
      ActorSystem<?> system, EntityJournal journal, CassandraReadSide readSide, CassandraSession session, String keyspace) {
    this.system = system;
    this.journal = journal;
    this.readSide = readSide;
    this.session = session;
    this.keyspace = keyspace;
  }

  /** The backfill of this system's keyspace, with the read side's Cassandra session. */
  public static ReadSideBackfill create(ActorSystem<?> system) {
    return new ReadSideBackfill(system, EntityJournal.create(system), CassandraReadSide.create(system),
        CassandraReadSide.session(system), system.settings().config().getString("tidewatch.cassandra.keyspace"));
  }

  /** Drops the {@link #RETIRED_TABLES} (IF EXISTS: a second run, or a keyspace that never had them, is fine). */
  public CompletionStage<List<String>> dropRetiredTables() {
    CompletionStage<List<String>> done = CompletableFuture.completedFuture(new ArrayList<>());
    for (String table : RETIRED_TABLES) {
      done = done.thenCompose(dropped -> session.executeDDL("DROP TABLE IF EXISTS " + keyspace + "." + table)
          .thenApply(ok -> {
            dropped.add(keyspace + "." + table);
            return dropped;
          }));
    }
    return done;
  }

  /**
   * Backfills every entity of {@code types} listed in entity_ids, one at a time; {@code progress} hears the running
   * totals after every page of ids.
   */
  public CompletionStage<Report> run(List<String> types, Consumer<Report> progress) {
    CompletionStage<Report> done = CompletableFuture.completedFuture(new Report(0, 0, 0));
    for (String type : types) {
      done = done.thenCompose(sofar -> type(type, null, sofar, progress));
    }
    return done;
  }

  private CompletionStage<Report> type(String type, String after, Report sofar, Consumer<Report> progress) {
    return readSide.entityIds(type, after, IDS_PER_PAGE).thenCompose(ids -> {
      if (ids.isEmpty()) {
        return CompletableFuture.completedFuture(sofar);
      }
      return entities(type, ids.iterator(), sofar).thenCompose(report -> {
        progress.accept(report);
        return ids.size() < IDS_PER_PAGE
            ? CompletableFuture.completedFuture(report)
            : type(type, ids.get(ids.size() - 1), report, progress);
      });
    });
  }

  private CompletionStage<Report> entities(String type, Iterator<String> ids, Report sofar) {
    if (!ids.hasNext()) {
      return CompletableFuture.completedFuture(sofar);
    }
    return entity(type, ids.next(), sofar).thenCompose(report -> entities(type, ids, report));
  }

  /** One journal, oldest first, its outputs written {@link #OUTPUTS_PER_WRITE} at a time. */
  private CompletionStage<Report> entity(String type, String id, Report sofar) {
    return journal.events(type, id, 0L, Long.MAX_VALUE)
        .mapConcat(envelope -> ((Event) envelope.event()).entries())
        .filter(event -> event instanceof WindowClosed || event instanceof AnomalyDetected)
        .grouped(OUTPUTS_PER_WRITE)
        .mapAsync(1, events -> {
          List<WindowClosed> windows = new ArrayList<>();
          List<AnomalyDetected> alerts = new ArrayList<>();
          for (Object event : events) {
            if (event instanceof WindowClosed closed) {
              windows.add(closed);
            } else {
              alerts.add((AnomalyDetected) event);
            }
          }
          return readSide.publish(type, id, new Outputs(windows, alerts))
              .thenApply(written -> new Report(0, windows.size(), alerts.size()));
        })
        .runWith(
            Sink.fold(new Report(sofar.entities() + 1, sofar.windows(), sofar.alerts()),
                (total, part) -> new Report(total.entities(), total.windows() + part.windows(), total.alerts() + part.alerts())),
            system);
  }
}
