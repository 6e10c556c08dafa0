package io.tidewatch.http.ingest;

import com.typesafe.config.Config;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.kafka.ProducerSettings;
import org.apache.pekko.kafka.javadsl.SendProducer;

/** Produces posted readings to the input topic with the entity id as key (so they land in its partition). */
public final class KafkaReadingsPublisher implements ReadingsPublisher {

  private final SendProducer<String, byte[]> producer;
  private final String topic;

  private KafkaReadingsPublisher(SendProducer<String, byte[]> producer, String topic) {
    this.producer = producer;
    this.topic = topic;
  }

  public static KafkaReadingsPublisher create(ActorSystem<?> system) {
    Config config = system.settings().config();
    SendProducer<String, byte[]> producer =
        new SendProducer<>(
            ProducerSettings.create(
                config.getConfig("tidewatch.http.readings-producer"), new StringSerializer(), new ByteArraySerializer()),
            system);
    CoordinatedShutdown.get(system)
        .addTask(
            CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
            "tidewatch-http-readings-producer",
            () -> producer.close().thenApply(x -> Done.getInstance()));
    return new KafkaReadingsPublisher(producer, config.getString("tidewatch.ingest.topic"));
  }

  @Override
  public CompletionStage<Done> publish(List<KeyedReading> readings) {
    CompletableFuture<?>[] sends =
        readings.stream()
            .map(r -> producer.send(new ProducerRecord<>(topic, r.entityId(), r.json())).toCompletableFuture())
            .toArray(CompletableFuture[]::new);
    return CompletableFuture.allOf(sends).thenApply(x -> Done.getInstance());
  }
}
