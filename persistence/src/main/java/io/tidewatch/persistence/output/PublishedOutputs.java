package io.tidewatch.persistence.output;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import io.tidewatch.protocol.EntityProtocol.Outputs;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.kafka.ProducerSettings;
import org.apache.pekko.kafka.javadsl.SendProducer;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;

/**
 * The outputs of the node's entities, sent to the output topics ({@code tidewatch.aggregates},
 * {@code tidewatch.alerts}, {@code tidewatch.incidents}, key = entity id) and written to the read-side tables at the same time; done once Kafka
 * acknowledged every record ({@code acks = all}) and every row is written.
 */
public final class PublishedOutputs implements OutputSink {

  private final SendProducer<String, String> producer;
  private final OutputRecords records;
  private final OutputSink tables;

  PublishedOutputs(SendProducer<String, String> producer, OutputRecords records, OutputSink tables) {
    this.producer = producer;
    this.records = records;
    this.tables = tables;
  }

  /** Outputs to the topics of {@code tidewatch.output} and to {@code tables}; the producer closes with the system. */
  public static PublishedOutputs create(ActorSystem<?> system, OutputSink tables) {
    Config output = system.settings().config().getConfig("tidewatch.output");
    ObjectMapper mapper =
        JacksonObjectMapperProvider.get(system.classicSystem()).getOrCreate("jackson-json", Optional.empty());
    SendProducer<String, String> producer =
        new SendProducer<>(
            ProducerSettings.create(output.getConfig("kafka-producer"), new StringSerializer(), new StringSerializer()),
            system);
    CoordinatedShutdown.get(system)
        .addTask(
            CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
            "tidewatch-output-producer",
            () -> producer.close().thenApply(x -> Done.getInstance()));
    return new PublishedOutputs(
        producer,
        new OutputRecords(mapper, output.getString("aggregates-topic"), output.getString("alerts-topic"),
            output.getString("incidents-topic")),
        tables);
  }

  @Override
  public CompletionStage<?> publish(String type, String id, Outputs outputs) {
    if (outputs.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    List<CompletableFuture<?>> sent = new ArrayList<>();
    sent.add(tables.publish(type, id, outputs).toCompletableFuture());
    for (ProducerRecord<String, String> record : records.of(type, id, outputs)) {
      sent.add(producer.send(record).toCompletableFuture());
    }
    return CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new));
  }
}
