package io.tidewatch.persistence.projection;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import io.tidewatch.protocol.EntityProtocol.Event;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.kafka.ProducerSettings;
import org.apache.pekko.kafka.javadsl.SendProducer;
import org.apache.pekko.projection.cassandra.javadsl.CassandraProjection;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.javadsl.Handler;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;

/**
 * Closed windows and alerts flow out to Kafka ({@code tidewatch.aggregates}, {@code tidewatch.alerts}) and into the
 * read side: one projection over the entities' tagged events per tag, run as a sharded daemon process so each runs
 * on exactly one node, with its offsets in Cassandra. Each group of events goes to both outputs and its offset is
 * stored once both have it, so a tagged event is read from the tag views once, not once per output. At least once:
 * a record may repeat after a crash, never go missing.
 */
public final class OutputProjections {

  private OutputProjections() {}

  /** @param readSide the read side's handler, run on the same groups as the Kafka output */
  public static void init(ActorSystem<?> system, Handler<List<EventEnvelope<Event>>> readSide) {
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
        CassandraProjection.groupedWithin(
                id, events, () -> new BothHandlers(new KafkaOutputHandler(producer, records), readSide))
            .withGroup(groupSize, groupWithin));
  }

  /** Runs two handlers on each group, at the same time; done when both are (a failure retries the group on both). */
  private static final class BothHandlers extends Handler<List<EventEnvelope<Event>>> {

    private final Handler<List<EventEnvelope<Event>>> first;
    private final Handler<List<EventEnvelope<Event>>> second;

    BothHandlers(Handler<List<EventEnvelope<Event>>> first, Handler<List<EventEnvelope<Event>>> second) {
      this.first = first;
      this.second = second;
    }

    @Override
    public CompletionStage<Done> process(List<EventEnvelope<Event>> envelopes) throws Exception {
      CompletableFuture<Done> one = first.process(envelopes).toCompletableFuture();
      CompletableFuture<Done> other = second.process(envelopes).toCompletableFuture();
      return one.thenCombine(other, (a, b) -> Done.getInstance());
    }
  }
}
