package io.tidewatch.node.bench;

import static io.tidewatch.protocol.EntityProtocol.DEFAULT_TOPIC;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.tidewatch.persistence.output.OutputSink;
import io.tidewatch.persistence.readside.EntityIndex;
import io.tidewatch.persistence.anomaly.AnomalyRule;
import io.tidewatch.persistence.state.EntitySnapshot;
import io.tidewatch.persistence.state.EntityState;
import io.tidewatch.persistence.state.EntityTypeConfig;
import io.tidewatch.persistence.state.EntityTypes;
import io.tidewatch.persistence.state.RecordPlan;
import io.tidewatch.protocol.EntityProtocol.Command;
import io.tidewatch.protocol.EntityProtocol.RecordAck;
import io.tidewatch.protocol.EntityProtocol.RecordReadings;
import io.tidewatch.protocol.EntityProtocol.SourcedReading;
import io.tidewatch.sharding.EntitySettings;
import io.tidewatch.sharding.TrackedEntity;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import org.apache.pekko.Done;
import org.apache.pekko.actor.PoisonPill;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Heap bytes per live entity with the default sensor configuration (target: under 4 KiB). Measured after full
 * collections: the entity state alone (what the window, anomaly and counter maths keep); then live entity actors
 * on the in-memory journal; then, once the actors are stopped, what the in-memory journal alone still holds for
 * them, so that actor + state = live − journal (with Cassandra the journal is not on the node's heap).
 *
 * <p>With {@code rcf}, the sensor type also has an rcf rule over both metrics at its default sizes (issue 18: 10,000
 * such entities should fit a 4 GiB heap), each entity is fed past the rule's warm-up, and the state is measured
 * once more without the rule, so the difference is the forest; and the snapshot's bytes (CBOR, as the snapshot
 * store gets them) are reported with the forest's share.
 */
public final class EntityHeapBench {

  private static final long T0 = 1_700_000_040_000L;

  /** States whose snapshot bytes are averaged. */
  private static final int SNAPSHOT_SAMPLE = 200;

  private final int entities;
  private final int readingsPerEntity;
  private final EntityTypeConfig sensor;
  /** The configured sensor type, when {@link #sensor} adds an rcf rule to it; else null. */
  private final EntityTypeConfig withoutRcf;
  private final AnomalyRule.Rcf rcf;

  public EntityHeapBench(int entities, int readingsPerEntity) {
    this(entities, readingsPerEntity, false);
  }

  /** With {@code rcf}, each entity gets at least the rule's warm-up + 44 readings, so that 44 are scored. */
  public EntityHeapBench(int entities, int readingsPerEntity, boolean rcf) {
    this.entities = entities;
    Config config = ConfigFactory.parseResources("entities.conf").resolve();
    EntityTypeConfig configured = EntityTypes.fromConfig(config).get("sensor").orElseThrow();
    if (rcf) {
      this.rcf = new AnomalyRule.Rcf(List.of("temperature", "humidity"), AnomalyRule.Rcf.DEFAULT_WARM_UP, 3.0);
      List<AnomalyRule> rules = new ArrayList<>(configured.anomalies().rules());
      rules.add(this.rcf);
      this.sensor = configured.withAnomalies(rules, configured.anomalies().incidents());
      this.withoutRcf = configured;
      this.readingsPerEntity = Math.max(readingsPerEntity, this.rcf.warmUp() + 44);
    } else {
      this.rcf = null;
      this.sensor = configured;
      this.withoutRcf = null;
      this.readingsPerEntity = readingsPerEntity;
    }
  }

  public int readingsPerEntity() {
    return readingsPerEntity;
  }

  public String run() throws Exception {
    long[] state = measureStates(sensor);
    long[] plainState = withoutRcf == null ? null : measureStates(withoutRcf);
    Random random = new Random(1);
    long[] actorBytes = measureActors((system, i) -> trackedEntity(system, random, i));
    long[] bareBytes = measureActors(EntityHeapBench::bareEntity);
    String report = String.format(
        Locale.ROOT,
        "entity-heap: %,d sensors, %d readings each (temperature, humidity), default sensor config %s%s%n"
            + "  entity state alone:                          %,d bytes per entity%n"
            + "  live entity actor with its state:            %,d bytes per entity%n"
            + "  (in-memory journal of the run, not counted:  %,d bytes per entity)%n"
            + "  bare event-sourced actor (Pekko's floor):    %,d bytes per entity (its journal not counted: %,d)%n",
        entities,
        readingsPerEntity,
        sensor.windows().stream().map(w -> w.id()).toList(),
        rcf == null ? "" : String.format(Locale.ROOT, " + rcf %s (trees %d, sample-size %d, shingle-size %d, warm-up %d)",
            rcf.metrics(), rcf.trees(), rcf.sampleSize(), rcf.shingleSize(), rcf.warmUp()),
        state[0],
        actorBytes[0] - actorBytes[1],
        actorBytes[1],
        bareBytes[0] - bareBytes[1],
        bareBytes[1]);
    if (plainState != null) {
      report += String.format(
          Locale.ROOT,
          "  the same state without the rcf rule:         %,d bytes per entity (so the forest: %,d)%n"
              + "  snapshot (CBOR):                             %,d bytes per entity, of which the forest %,d"
              + " (without the rule: %,d)%n",
          plainState[0], state[0] - plainState[0], state[1], state[2], plainState[1]);
    }
    return report;
  }

  private List<SourcedReading> readings(Random random, int entity) {
    List<SourcedReading> readings = new ArrayList<>(readingsPerEntity);
    for (int r = 0; r < readingsPerEntity; r++) {
      readings.add(
          new SourcedReading(
              T0 + r * 1_000L + random.nextInt(1_000),
              Map.of("temperature", 20 + random.nextGaussian(), "humidity", 40 + random.nextGaussian()),
              null,
              Map.of(),
              entity % 4,
              r));
    }
    return readings;
  }

  /**
   * Heap bytes per entity state of {@code type}, then (after measuring) the mean bytes of the snapshots of the first
   * {@value #SNAPSHOT_SAMPLE} and of their forests.
   */
  private long[] measureStates(EntityTypeConfig type) throws Exception {
    Random random = new Random(1);
    long before = usedHeapAfterGc();
    List<EntityState> states = new ArrayList<>(entities);
    for (int i = 0; i < entities; i++) {
      EntityState state = new EntityState(type, String.format(Locale.ROOT, "sensor-%05d", i));
      RecordPlan.record(state, DEFAULT_TOPIC, readings(random, i), 0, 0);
      states.add(state);
    }
    long after = usedHeapAfterGc();
    long perEntity = (after - before) / entities;
    ObjectMapper cbor = new ObjectMapper(new CBORFactory());
    long snapshotBytes = 0;
    long forestBytes = 0;
    int sample = Math.min(SNAPSHOT_SAMPLE, states.size());
    for (EntityState state : states.subList(0, sample)) {
      EntitySnapshot snapshot = EntitySnapshot.of(state);
      snapshotBytes += cbor.writeValueAsBytes(snapshot).length;
      forestBytes += snapshot.forests().values().stream().mapToLong(f -> f.length).sum();
    }
    if (states.size() != entities) {
      throw new IllegalStateException("states were collected early");
    }
    return new long[] {perEntity, snapshotBytes / Math.max(1, sample), forestBytes / Math.max(1, sample)};
  }

  /** An actor started for the bench and the answer to its first command. */
  private record Started(ActorRef<?> ref, CompletionStage<?> answered) {}

  /** Tidewatch's entity, sent its readings. */
  private Started trackedEntity(ActorSystem<Void> system, Random random, int i) {
    String id = String.format(Locale.ROOT, "sensor-%05d", i);
    EntitySettings settings = new EntitySettings(Duration.ofHours(1));
    OutputSink noOutputs = (type, entityId, outputs) -> CompletableFuture.completedFuture(null);
    ActorRef<Command> ref = system.systemActorOf(
        TrackedEntity.create(sensor, settings, NO_READ_SIDE, noOutputs, id, Optional.empty(), Clock.systemUTC()),
        id, Props.empty());
    List<SourcedReading> readings = readings(random, i);
    return new Started(ref, AskPattern.<Command, RecordAck>ask(
        ref, replyTo -> new RecordReadings(readings, replyTo), Duration.ofSeconds(60), system.scheduler()));
  }

  /** The least an event-sourced actor is (Pekko's floor): it persists one small event and keeps a counter. */
  private static Started bareEntity(ActorSystem<Void> system, int i) {
    ActorRef<EntityStartBench.Probe> ref = system.systemActorOf(
        EntityStartBench.BareEntity.create(String.format(Locale.ROOT, "bare-%05d", i)), "bare-" + i, Props.empty());
    return new Started(ref, AskPattern.ask(ref, EntityStartBench.Probe::new, Duration.ofSeconds(60), system.scheduler()));
  }

  /**
   * Live actors with state and journal, and the journal alone after the actors stopped, per entity: actor + state =
   * the first minus the second.
   */
  private long[] measureActors(BiFunction<ActorSystem<Void>, Integer, Started> start) throws Exception {
    Config config =
        ConfigFactory.parseString(
                """
                pekko.loglevel = WARNING
                pekko.persistence.journal.plugin = "pekko.persistence.journal.inmem"
                pekko.persistence.snapshot-store.plugin = ""
                """)
            .withFallback(ConfigFactory.parseResources("serialization.conf"))
            .withFallback(ConfigFactory.load());
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "entity-heap-bench", config);
    try {
      long before = usedHeapAfterGc();
      List<ActorRef<?>> refs = new ArrayList<>(entities);
      List<CompletableFuture<?>> answers = new ArrayList<>();
      for (int i = 0; i < entities; i++) {
        Started started = start.apply(system, i);
        refs.add(started.ref());
        answers.add(started.answered().toCompletableFuture());
        if (answers.size() == 1_000) {
          CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).join();
          answers.clear();
        }
      }
      CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).join();
      long live = usedHeapAfterGc();
      stopAll(system, refs);
      refs.clear();
      long journalOnly = usedHeapAfterGc();
      return new long[] {(live - before) / entities, (journalOnly - before) / entities};
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().join();
    }
  }

  /** Stops every entity (an event-sourced actor stops on PoisonPill) and waits until all have terminated. */
  private static void stopAll(ActorSystem<Void> system, List<ActorRef<?>> refs) {
    CompletableFuture<Done> allStopped = new CompletableFuture<>();
    system.systemActorOf(
        Behaviors.<Void>setup(ctx -> {
          refs.forEach(ref -> {
            ctx.watch(ref);
            Adapter.toClassic(ref).tell(PoisonPill.getInstance(), org.apache.pekko.actor.ActorRef.noSender());
          });
          int[] remaining = {refs.size()};
          return Behaviors.<Void>receiveSignal((c, signal) -> {
            if (signal instanceof Terminated && --remaining[0] == 0) {
              allStopped.complete(Done.getInstance());
              return Behaviors.stopped();
            }
            return Behaviors.same();
          });
        }),
        "stopper",
        Props.empty());
    allStopped.join();
  }

  private static long usedHeapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /** The bench measures the heap of entities: their output and expiry marks go nowhere. */
  private static final EntityIndex NO_READ_SIDE = new NoReadSide();

  private static final class NoReadSide implements EntityIndex {
    @Override
    public CompletionStage<?> outputsPending(String type, String id, boolean pending) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<List<String>> withOutputsPending(String type) {
      return CompletableFuture.completedFuture(List.of());
    }

    @Override
    public CompletionStage<?> expiresAt(
        String type, String id, long heardAt, long seqNr, long expiresAt, boolean heardKnown) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<?> expired(String type, String id, long expiredAt, long seqNr) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<?> heardAfterExpiry(String type, String id, long seqNr) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<List<DueExpiry>> dueToExpire(String type, long nowMs, String after, int limit) {
      return CompletableFuture.completedFuture(List.of());
    }
  }
}
