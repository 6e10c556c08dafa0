package io.tidewatch.persistence.projection;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import java.util.Optional;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.kafka.ProducerSettings;
import org.apache.pekko.kafka.javadsl.SendProducer;
import org.apache.pekko.projection.cassandra.javadsl.CassandraProjection;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;

/**
 * Closed windows and alerts flow out to Kafka ({@code tidewatch.aggregates}, {@code tidewatch.alerts}): one
 * projection over the entities' tagged events per tag, run as a sharded daemon process so each runs on exactly one
 * node, with its offsets in Cassandra. At least once: a record may repeat after a crash, never go missing.
 */
public final class OutputProjections {

  private OutputProjections() {}

  public static void init(ActorSystem<?> system) {
    Config output = system.settings().config().getConfig("tidewatch.output");
    ObjectMapper mapper =
        JacksonObjectMapperProvider.get(system.classicSystem()).getOrCreate("jackson-json", Optional.empty());
    OutputRecords records =
        new OutputRecords(mapper, output.getString("aggregates-topic"), output.getString("alerts-topic"));
    SendProducer<String, String> producer =
        new SendProducer<>(
            ProducerSettings.create(output.getConfig("kafka-producer"), new StringSerializer(), new StringSerializer()),
            system);
    CoordinatedShutdown.get(system)
        .addTask(
            CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
            "tidewatch-output-producer",
            () -> producer.close().thenApply(x -> Done.getInstance()));
    int groupSize = output.getInt("group-size");
    var groupWithin = output.getDuration("group-within");
    TaggedProjections.init(system, "tidewatch-output", (id, events) ->
        CassandraProjection.groupedWithin(id, events, () -> new KafkaOutputHandler(producer, records))
            .withGroup(groupSize, groupWithin));
  }
}
