package io.tidewatch.persistence.readside;

import io.tidewatch.protocol.AlertView;
import io.tidewatch.protocol.EntityProtocol.AnomalyDetected;
import io.tidewatch.protocol.EntityProtocol.EntityRegistered;
import io.tidewatch.protocol.EntityProtocol.Event;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.javadsl.Handler;

/**
 * Writes a group of tagged events into the read side tables: their alerts (in batches, see
 * {@link CassandraReadSide#recordAlerts}), and the registrations of journals from before entities listed themselves
 * ({@link EntityIndex}); closed windows are not its business. The projection stores its offset once the whole group
 * is written.
 */
final class ReadSideHandler extends Handler<List<EventEnvelope<Event>>> {

  private final CassandraReadSide tables;

  ReadSideHandler(CassandraReadSide tables) {
    this.tables = tables;
  }

  @Override
  public CompletionStage<Done> process(List<EventEnvelope<Event>> envelopes) {
    List<AlertView> alerts = new ArrayList<>();
    List<CompletableFuture<?>> writes = new ArrayList<>();
    for (EventEnvelope<Event> envelope : envelopes) {
      PersistenceId pid = PersistenceId.ofUniqueId(envelope.persistenceId());
      Event event = envelope.event();
      if (event instanceof EntityRegistered registered) { // tagged in journals written before entities listed themselves
        writes.add(tables.register(pid.entityTypeHint(), pid.entityId(), registered.firstSeenMs()).toCompletableFuture());
      } else if (event instanceof AnomalyDetected alert) {
        alerts.add(AlertView.of(pid.entityTypeHint(), pid.entityId(), alert));
      }
    }
    writes.add(tables.recordAlerts(alerts).toCompletableFuture());
    return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).thenApply(x -> Done.getInstance());
  }
}
