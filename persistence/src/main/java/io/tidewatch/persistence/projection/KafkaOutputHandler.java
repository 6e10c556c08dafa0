package io.tidewatch.persistence.projection;

import io.tidewatch.protocol.EntityProtocol.Event;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.kafka.javadsl.SendProducer;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.javadsl.Handler;

/**
 * Publishes a group of tagged events to the output topics and completes once Kafka acknowledged every record; only
 * then does the projection store its offset. A plain {@link Handler}: Projections 1.0's {@code ActorHandler}
 * fails on Pekko 1.1+ (shared/notes/versions.md).
 */
final class KafkaOutputHandler extends Handler<List<EventEnvelope<Event>>> {

  private final SendProducer<String, String> producer;
  private final OutputRecords records;

  KafkaOutputHandler(SendProducer<String, String> producer, OutputRecords records) {
    this.producer = producer;
    this.records = records;
  }

  @Override
  public CompletionStage<Done> process(List<EventEnvelope<Event>> envelopes) {
    List<CompletableFuture<?>> sends = new ArrayList<>();
    for (EventEnvelope<Event> envelope : envelopes) {
      PersistenceId pid = PersistenceId.ofUniqueId(envelope.persistenceId());
      records
          .of(pid.entityTypeHint(), pid.entityId(), envelope.event())
          .forEach(record -> sends.add(producer.send(record).toCompletableFuture()));
    }
    return CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).thenApply(x -> Done.getInstance());
  }
}
