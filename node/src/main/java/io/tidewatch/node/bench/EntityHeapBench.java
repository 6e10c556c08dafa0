package io.tidewatch.node.bench;

import static io.tidewatch.protocol.EntityProtocol.DEFAULT_TOPIC;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.tidewatch.persistence.output.OutputSink;
import io.tidewatch.persistence.readside.EntityIndex;
import io.tidewatch.persistence.state.EntityState;
import io.tidewatch.persistence.state.EntityTypeConfig;
import io.tidewatch.persistence.state.EntityTypes;
import io.tidewatch.persistence.state.RecordPlan;
import io.tidewatch.protocol.EntityProtocol.Command;
import io.tidewatch.protocol.EntityProtocol.Event;
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
 */
public final class EntityHeapBench {

  private static final long T0 = 1_700_000_040_000L;

  private final int entities;
  private final int readingsPerEntity;
  private final EntityTypeConfig sensor;

  public EntityHeapBench(int entities, int readingsPerEntity) {
    this.entities = entities;
    this.readingsPerEntity = readingsPerEntity;
    Config config = ConfigFactory.parseResources("entities.conf").resolve();
    this.sensor = EntityTypes.fromConfig(config).get("sensor").orElseThrow();
  }

  public String run() throws Exception {
    long stateBytes = measureStates();
    long[] actorBytes = measureActors();
    return String.format(
        Locale.ROOT,
        "entity-heap: %,d sensors, %d readings each (temperature, humidity), default sensor config %s%n"
            + "  entity state alone:                          %,d bytes per entity%n"
            + "  live entity actor with its state:            %,d bytes per entity%n"
            + "  (in-memory journal of the run, not counted:  %,d bytes per entity)%n",
        entities,
        readingsPerEntity,
        sensor.windows().stream().map(w -> w.id()).toList(),
        stateBytes,
        actorBytes[0] - actorBytes[1],
        actorBytes[1]);
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

  private long measureStates() {
    Random random = new Random(1);
    long before = usedHeapAfterGc();
    List<EntityState> states = new ArrayList<>(entities);
    for (int i = 0; i < entities; i++) {
      EntityState state = new EntityState(sensor, String.format(Locale.ROOT, "sensor-%05d", i));
      RecordPlan.record(state, DEFAULT_TOPIC, readings(random, i), 0, 0);
      states.add(state);
    }
    long after = usedHeapAfterGc();
    long perEntity = (after - before) / entities;
    if (states.size() != entities) {
      throw new IllegalStateException("states were collected early");
    }
    return perEntity;
  }

  /** Live actors with state and journal, and the journal alone after the actors stopped, per entity. */
  private long[] measureActors() throws Exception {
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
      Random random = new Random(1);
      EntitySettings settings = new EntitySettings(Duration.ofHours(1));
      EntityIndex noReadSide = new NoReadSide(); // heap only
      OutputSink noOutputs = (type, id, outputs) -> CompletableFuture.completedFuture(null);
      long before = usedHeapAfterGc();
      List<ActorRef<Command>> refs = new ArrayList<>(entities);
      List<CompletableFuture<RecordAck>> acks = new ArrayList<>();
      for (int i = 0; i < entities; i++) {
        String id = String.format(Locale.ROOT, "sensor-%05d", i);
        ActorRef<Command> ref =
            system.systemActorOf(
                TrackedEntity.create(sensor, settings, noReadSide, noOutputs, id, Optional.empty(), Clock.systemUTC()), id, Props.empty());
        refs.add(ref);
        List<SourcedReading> readings = readings(random, i);
        CompletionStage<RecordAck> ack =
            AskPattern.ask(ref, replyTo -> new RecordReadings(readings, replyTo), Duration.ofSeconds(60), system.scheduler());
        acks.add(ack.toCompletableFuture());
        if (acks.size() == 1_000) {
          CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).join();
          acks.clear();
        }
      }
      CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).join();
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
  private static void stopAll(ActorSystem<Void> system, List<ActorRef<Command>> refs) {
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

  /** The bench measures the heap of entities: their listing and output marks go nowhere. */
  private static final class NoReadSide implements EntityIndex {
    @Override
    public CompletionStage<?> outputsPending(String type, String id, boolean pending) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<List<String>> withOutputsPending(String type) {
      return CompletableFuture.completedFuture(List.of());
    }
  }
}
