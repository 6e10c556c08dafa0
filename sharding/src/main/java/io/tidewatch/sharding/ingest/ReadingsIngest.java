package io.tidewatch.sharding.ingest;

import io.tidewatch.persistence.output.OutputSink;
import io.tidewatch.persistence.pipeline.Pipeline;
import io.tidewatch.protocol.EntityProtocol.Outputs;
import io.tidewatch.protocol.EntityProtocol.RecordAck;
import io.tidewatch.persistence.state.LiveTypes;
import io.tidewatch.persistence.state.TypeVersions;
import io.tidewatch.protocol.EntityProtocol.RecordReadings;
import io.tidewatch.protocol.EntityProtocol.SourcedReading;
import io.tidewatch.protocol.ReadingParser;
import io.tidewatch.sharding.Futures;
import io.tidewatch.sharding.TrackedEntity;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.kafka.ConsumerMessage;
import org.apache.pekko.kafka.ConsumerMessage.CommittableMessage;
import org.apache.pekko.kafka.ConsumerMessage.CommittableOffsetBatch;
import org.apache.pekko.kafka.Subscriptions;
import org.apache.pekko.kafka.javadsl.Committer;
import org.apache.pekko.kafka.javadsl.Consumer;
import org.apache.pekko.kafka.javadsl.SendProducer;
import org.apache.pekko.stream.javadsl.RestartSource;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka feed (DESIGN §1): committable source → batches → parse and validate (bad records to dead letters) →
 * at most one ask per entity and batch, with bounded parallelism (the backpressure: batches in flight, and asks
 * sent and unanswered) → publish the windows and alerts each acknowledgement carries (output topics and read side)
 * → commit the batch's offsets only once every entity acknowledged, every output was acknowledged and every dead
 * letter was written. So outputs are at least once: a crash before the commit redelivers the batch, and the entities
 * answer a redelivery with the outputs of the readings it repeats. A failure restarts the consumer from the
 * last commit; entities drop the redelivered records by their offsets.
 *
 * <p>An entity's next batch is sent only after its previous one was acknowledged, and never after one that failed
 * ({@link OrderedAsks}): entities tell redeliveries by offset, so what they record must be a prefix of what was
 * consumed. Meanwhile its readings from later batches join one waiting ask: a busy entity gets fewer, bigger asks.
 */
public final class ReadingsIngest {

  private static final Logger log = LoggerFactory.getLogger(ReadingsIngest.class);
  private static final Duration LAG_POLL_INTERVAL = Duration.ofSeconds(1);

  private final ClusterSharding sharding;
  private final IngestSettings settings;
  private final ReadingParser parser;
  private final LiveTypes types;
  private final DeadLetterPublisher deadLetters;
  private final AtomicReference<Consumer.Control> control =
      new AtomicReference<>(Consumer.createNoopControl());
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final org.apache.pekko.actor.ActorRef shardLocations; // classic: what the Kafka subscription takes
  private final OrderedAsks<IngestBatch.EntityRef, VersionedReadings, RecordAck> asks;
  private final IngestMetrics metrics;
  private final ResendOnMemberRemoved resend;
  private final OutputSink outputs;

  private ReadingsIngest(
      ClusterSharding sharding,
      IngestSettings settings,
      ReadingParser parser,
      LiveTypes types,
      DeadLetterPublisher deadLetters,
      org.apache.pekko.actor.ActorRef shardLocations,
      ResendOnMemberRemoved resend,
      OutputSink outputs) {
    this.sharding = sharding;
    this.outputs = outputs;
    this.resend = resend;
    this.shardLocations = shardLocations;
    this.settings = settings;
    this.parser = parser;
    this.types = types;
    this.deadLetters = deadLetters;
    this.asks = new OrderedAsks<>(settings.askParallelism());
    this.metrics = new IngestMetrics(asks::unanswered, asks::inFlight);
  }

  /**
   * Starts consuming; the stream drains and commits on CoordinatedShutdown, before the cluster is left. Shards of
   * {@code entityTypes} follow the partitions this node is assigned.
   */
  public static ReadingsIngest start(
      ActorSystem<?> system,
      IngestSettings settings,
      ReadingParser parser,
      LiveTypes types,
      OutputSink outputs) {
    var producer = new SendProducer<>(settings.producer(), system);
    var shardLocations =
        system.systemActorOf(ShardLocations.create(settings.topic(), List.copyOf(types.byType().keySet())), "tidewatch-shard-locations", Props.empty());
    var ingest =
        new ReadingsIngest(
            ClusterSharding.get(system),
            settings,
            parser,
            types,
            new DeadLetterPublisher(producer, settings.deadLetterTopic()),
            Adapter.toClassic(shardLocations),
            ResendOnMemberRemoved.watching(system, settings.resendAfterMemberRemoved()),
            outputs);
    CompletionStage<Done> done =
        RestartSource.onFailuresWithBackoff(settings.restart(), ingest::consumer)
            .runWith(Sink.ignore(), system);
    done.whenComplete((ok, failure) -> {
      if (failure != null) {
        log.error("Ingest stream stopped", failure);
      }
    });
    // The consumer's lag per partition, from its own metrics, for /metrics.
    system.scheduler().scheduleWithFixedDelay(
        LAG_POLL_INTERVAL,
        LAG_POLL_INTERVAL,
        () -> ingest.control.get().getMetrics().thenAccept(ingest.metrics::consumerMetrics),
        system.executionContext());
    CoordinatedShutdown.get(system)
        .addTask(
            CoordinatedShutdown.PhaseServiceUnbind(),
            "tidewatch-ingest-drain",
            () -> {
              ingest.stopping.set(true); // a consumer restarting now must not start consuming again
              return ingest.control.get().drainAndShutdown(done, system.executionContext());
            });
    CoordinatedShutdown.get(system)
        .addTask(
            CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
            "tidewatch-dead-letter-producer",
            () -> producer.close().thenApply(x -> Done.getInstance()));
    log.info(
        "Ingesting {} with batches of up to {} records, {} batches and {} asks in flight",
        settings.topic(),
        settings.batchSize(),
        settings.parallelism(),
        settings.askParallelism());
    return ingest;
  }

  private Source<Done, ?> consumer() {
    if (stopping.get()) {
      return Source.empty();
    }
    long consumer = asks.newConsumer();
    return Consumer.committableSource(
            settings.consumer(), Subscriptions.topics(settings.topic()).withRebalanceListener(shardLocations))
        .mapMaterializedValue(c -> {
          control.set(c);
          return c;
        })
        .via(new BacklogBatches<>(settings.batchSize(), settings.batchWindow(), settings.backlogBatchWindow(),
            () -> metrics.lag() >= settings.backlogLag()))
        .mapAsync(settings.parallelism(), messages -> process(messages, consumer))
        .via(Committer.flow(settings.committer()));
  }

  /** Records one batch; completes with the batch's offsets once everything in it is journaled or dead-lettered. */
  private CompletionStage<CommittableOffsetBatch> process(
      List<CommittableMessage<String, byte[]>> messages, long consumer) {
    List<ConsumerRecord<String, byte[]>> records = new ArrayList<>(messages.size());
    // Offsets only grow within a partition: the batch commits each partition's last one.
    Map<ConsumerMessage.GroupTopicPartition, ConsumerMessage.CommittableOffset> last = new HashMap<>();
    long oldest = Long.MAX_VALUE;
    for (CommittableMessage<String, byte[]> message : messages) {
      records.add(message.record());
      if (message.record().timestamp() >= 0) { // a record without a timestamp has -1
        oldest = Math.min(oldest, message.record().timestamp());
      }
      last.put(message.committableOffset().partitionOffset().key(), message.committableOffset());
    }
    CommittableOffsetBatch offsets = ConsumerMessage.emptyCommittableOffsetBatch();
    for (ConsumerMessage.CommittableOffset offset : last.values()) {
      offsets = offsets.updated(offset);
    }
    metrics.batch(records.size());
    // One version of each type's configuration per batch: its pipeline shapes the readings, and the entities judge
    // them by its rules. A newest version that does not compile here fails the batch (the stream backs off and
    // retries, and the log says why) rather than run older rules than the cluster's.
    Map<String, TypeVersions.Live> versions = types.current();
    Map<String, Pipeline> pipelines = new HashMap<>();
    versions.forEach((type, live) -> {
      if (!live.pipeline().isEmpty()) { // a type without one runs nothing per reading (IngestBatch looks it up)
        pipelines.put(type, live.pipeline());
      }
    });
    IngestBatch batch = IngestBatch.of(records, parser, pipelines);
    // Filtered readings are acknowledged with the batch: their offsets are in it, and nothing waits for them.
    batch.filtered().forEach(f -> metrics.filtered(f.type(), f.step()));
    List<CompletableFuture<?>> pending = new ArrayList<>();
    for (IngestBatch.Rejected rejected : batch.rejected()) {
      metrics.deadLetter(rejected.category());
      log.debug("Dead letter from {}/{}: {}", rejected.record().partition(), rejected.record().offset(), rejected.reason());
      pending.add(Futures.plain(deadLetters.publish(rejected.record(), rejected.reason())));
    }
    batch.readingsByEntity().forEach((entity, readings) -> pending.add(asks.send(entity, consumer,
        List.of(new VersionedReadings(versions.get(entity.type()).number(), readings)),
        joined -> record(entity, VersionedReadings.joined(joined), 0, 0))));
    CommittableOffsetBatch committable = offsets;
    long oldestTimestamp = oldest;
    return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).thenApply(x -> {
      metrics.batchDone(oldestTimestamp);
      return committable;
    });
  }

  /**
   * Asks in chunks of at most {@code maxReadingsPerCommand} readings of one configuration version, one after the
   * other, so no message grows too big; each answer's outputs are published before the next chunk is sent.
   */
  private CompletableFuture<RecordAck> record(
      IngestBatch.EntityRef entity, List<VersionedReadings> runs, int run, int from) {
    List<SourcedReading> readings = runs.get(run).readings();
    int configVersion = runs.get(run).configVersion();
    int to = Math.min(readings.size(), from + settings.maxReadingsPerCommand());
    List<SourcedReading> chunk = readings.subList(from, to);
    long started = System.nanoTime();
    CompletableFuture<RecordAck> ask =
        resend.send(() -> Futures.plain(
                sharding
                    .entityRefFor(TrackedEntity.typeKey(entity.type()), entity.id())
                    .<RecordAck>ask(replyTo -> new RecordReadings(settings.topic(), chunk, configVersion, replyTo),
                        settings.askTimeout())))
            .thenCompose(ack -> {
              if (ack.configVersion() > configVersion) { // the entity knows a newer version: fetch it for what follows
                types.of(entity.type()).fetchIfUnknown(ack.configVersion());
              }
              metrics.asked(entity.type(), chunk.size(), started);
              metrics.recorded(entity.type(), ack.recorded());
              return publish(entity, ack);
            });
    if (to < readings.size()) {
      return ask.thenCompose(ack -> record(entity, runs, run, to));
    }
    return run + 1 == runs.size() ? ask : ask.thenCompose(ack -> record(entity, runs, run + 1, 0));
  }

  private CompletableFuture<RecordAck> publish(IngestBatch.EntityRef entity, RecordAck ack) {
    Outputs out = ack.outputs();
    if (out.isEmpty()) {
      return CompletableFuture.completedFuture(ack);
    }
    long started = System.nanoTime();
    return outputs.publish(entity.type(), entity.id(), out).toCompletableFuture().thenApply(x -> {
      metrics.published(out.windows().size(), out.alerts().size(), started);
      return ack;
    });
  }
}
