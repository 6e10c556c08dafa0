package io.tidewatch.persistence.query;

import io.tidewatch.persistence.state.EntityState;
import io.tidewatch.protocol.AlertView;
import io.tidewatch.protocol.EntityProtocol.AnomalyDetected;
import io.tidewatch.protocol.EntityProtocol.WindowClosed;
import io.tidewatch.protocol.WindowView;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * Reads one entity's journal through Persistence Query (Cassandra in production): its events in order, and the
 * closed windows and alerts older than what the entity keeps in memory. Streams, so memory stays bounded by
 * what is asked for, not by the length of the journal.
 */
public final class EntityJournal {

  private final ActorSystem<?> system;
  private final CurrentEventsByPersistenceIdQuery journal;

  public EntityJournal(ActorSystem<?> system, String readJournalPluginId) {
    this.system = system;
    this.journal =
        PersistenceQuery.get(system.classicSystem())
            .getReadJournalFor(CurrentEventsByPersistenceIdQuery.class, readJournalPluginId);
  }

  public static EntityJournal create(ActorSystem<?> system) {
    return new EntityJournal(system, system.settings().config().getString("tidewatch.query.read-journal"));
  }

  /** The entity's events with sequence numbers in [fromSeq, toSeq], oldest first. */
  public Source<EventEnvelope, NotUsed> events(String type, String id, long fromSeq, long toSeq) {
    return journal.currentEventsByPersistenceId(PersistenceId.of(type, id).id(), fromSeq, toSeq);
  }

  /** All closed windows in the journal that match, newest end first, at most {@code limit} views. */
  public CompletionStage<List<WindowView>> closedWindows(
      String type, String id, String spec, String metric, Long from, Long to, int limit) {
    return events(type, id, 0, Long.MAX_VALUE)
        .map(EventEnvelope::event)
        .filter(e -> e instanceof WindowClosed w && (spec == null || spec.equals(w.spec())) && inRange(w.start(), from, to))
        .mapConcat(e -> EntityState.views((WindowClosed) e))
        .filter(view -> metric == null || metric.equals(view.metric()))
        .runWith(Sink.fold(new ArrayDeque<WindowView>(), (kept, view) -> keepNewest(kept, view, limit)), system)
        .thenApply(kept -> {
          List<WindowView> newestFirst = new ArrayList<>(kept);
          newestFirst.sort(Comparator.comparingLong(WindowView::end).reversed().thenComparing(WindowView::spec));
          return newestFirst;
        });
  }

  /** All alerts in the journal with event time in [from, to), newest first, at most {@code limit}. */
  public CompletionStage<List<AlertView>> alerts(String type, String id, Long from, Long to, int limit) {
    return events(type, id, 0, Long.MAX_VALUE)
        .map(EventEnvelope::event)
        .filter(e -> e instanceof AnomalyDetected a && inRange(a.ts(), from, to))
        .map(e -> AlertView.of(type, id, (AnomalyDetected) e))
        .runWith(Sink.fold(new ArrayDeque<AlertView>(), (kept, alert) -> keepNewest(kept, alert, limit)), system)
        .thenApply(kept -> {
          List<AlertView> newestFirst = new ArrayList<>(kept);
          Collections.reverse(newestFirst);
          return newestFirst;
        });
  }

  private static boolean inRange(long t, Long from, Long to) {
    return (from == null || t >= from) && (to == null || t < to);
  }

  /** The journal is oldest first: keep the last {@code limit} seen. */
  private static <T> ArrayDeque<T> keepNewest(ArrayDeque<T> kept, T item, int limit) {
    kept.addLast(item);
    if (kept.size() > limit) {
      kept.removeFirst();
    }
    return kept;
  }
}
