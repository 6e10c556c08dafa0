package io.tidewatch.persistence.readside;

import io.tidewatch.protocol.AlertView;
import io.tidewatch.protocol.EntityProtocol.AnomalyDetected;
import io.tidewatch.protocol.EntityProtocol.EntityRegistered;
import io.tidewatch.protocol.EntityProtocol.Event;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.javadsl.Handler;

/**
 * Writes alerts into the read side tables, and the registrations of journals from before entities listed themselves
 * ({@link EntityIndex}); closed windows are not its business.
 */
final class ReadSideHandler extends Handler<EventEnvelope<Event>> {

  private static final CompletableFuture<Done> NOTHING_TO_DO = CompletableFuture.completedFuture(Done.getInstance());

  private final CassandraReadSide tables;

  ReadSideHandler(CassandraReadSide tables) {
    this.tables = tables;
  }

  @Override
  public CompletionStage<Done> process(EventEnvelope<Event> envelope) {
    PersistenceId pid = PersistenceId.ofUniqueId(envelope.persistenceId());
    Event event = envelope.event();
    if (event instanceof EntityRegistered registered) { // tagged in journals written before entities listed themselves
      return tables
          .register(pid.entityTypeHint(), pid.entityId(), registered.firstSeenMs())
          .thenApply(x -> Done.getInstance());
    }
    if (event instanceof AnomalyDetected alert) {
      return tables
          .recordAlert(AlertView.of(pid.entityTypeHint(), pid.entityId(), alert))
          .thenApply(x -> Done.getInstance());
    }
    return NOTHING_TO_DO;
  }
}
