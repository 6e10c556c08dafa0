package io.tidewatch.persistence.query;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.stream.javadsl.Source;

/**
 * Reads one entity's journal through Persistence Query (Cassandra in production), for the audit routes and the
 * replay command: its events in order. Streams, so memory stays bounded by what is asked for, not by the length of
 * the journal. Each query counts in {@code tidewatch.journal.queries}: nothing but an audit should read a journal.
 */
public final class EntityJournal {

  private final CurrentEventsByPersistenceIdQuery journal;
  private final Counter queries = Metrics.globalRegistry.counter("tidewatch.journal.queries");

  public EntityJournal(ActorSystem<?> system, String readJournalPluginId) {
    this.journal =
        PersistenceQuery.get(system.classicSystem())
            .getReadJournalFor(CurrentEventsByPersistenceIdQuery.class, readJournalPluginId);
  }

  public static EntityJournal create(ActorSystem<?> system) {
    return new EntityJournal(system, system.settings().config().getString("tidewatch.query.read-journal"));
  }

  /** The entity's events with sequence numbers in [fromSeq, toSeq], oldest first. */
  public Source<EventEnvelope, NotUsed> events(String type, String id, long fromSeq, long toSeq) {
    queries.increment();
    return journal.currentEventsByPersistenceId(PersistenceId.of(type, id).id(), fromSeq, toSeq);
  }
}
