package io.tidewatch.node.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.tidewatch.deploy.CassandraLauncher;
import io.tidewatch.deploy.FreePorts;
import io.tidewatch.node.NodeConfig;
import io.tidewatch.persistence.readside.CassandraReadSide;
import io.tidewatch.persistence.state.EntityTypeConfig;
import io.tidewatch.protocol.EntityProtocol;
import io.tidewatch.protocol.EntityProtocol.EntityRegistered;
import io.tidewatch.protocol.EntityProtocol.Event;
import io.tidewatch.protocol.EntityProtocol.RecordReadings;
import io.tidewatch.protocol.EntityProtocol.SourcedReading;
import io.tidewatch.sharding.EntitySettings;
import io.tidewatch.sharding.TrackedEntity;
import io.tidewatch.sharding.ingest.IngestSettings;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;

/**
 * What it costs to wake entities never seen before, against a real local Cassandra: the wall time and the CPU of
 * this JVM and of Cassandra per start, for a bare event-sourced actor (Pekko persistence-typed and the Cassandra
 * plugin with Tidewatch's journal settings, events-by-tag off, one small event each) and for Tidewatch's own
 * entity (one reading journaled, then the outputs of the reply published as the ingest does: the listing). A cold backlog such as TW-1 wakes every entity once: the
 * bare figures are the floor the chosen components set, whatever the entity does.
 */
public final class EntityStartBench {

  private static final long T0 = 1_700_000_040_000L;

  private final int entities;
  private final int warmup;
  private final Path workDir;

  public EntityStartBench(int entities, int warmup, Path workDir) {
    this.entities = entities;
    this.warmup = warmup;
    this.workDir = workDir;
  }

  private record Figures(String variant, int entities, double seconds, long cpuMillis, long cassandraCpuMillis) {
    String line() {
      return String.format(
          Locale.ROOT,
          "  %-34s %,7d starts in %6.2f s = %,7.0f/s; CPU per start: this JVM %.2f ms, Cassandra %.2f ms%n",
          variant, entities, seconds, entities / seconds,
          (double) cpuMillis / entities, (double) cassandraCpuMillis / entities);
    }
  }

  public String run() throws Exception {
    try (CassandraLauncher.Running cassandra =
        new CassandraLauncher(workDir.resolve("cassandra"), FreePorts.next(), FreePorts.next()).start()) {
      cassandra.applySchema();
      ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "entity-start-bench", config(cassandra));
      try {
        // Starts sent and not answered at once: the ingest's own bound on asks.
        int inFlight = IngestSettings.create(system).askParallelism();
        // The read side's tables take the outputs too: this bench runs no Kafka.
        CassandraReadSide readSide = CassandraReadSide.create(system);
        EntityTypeConfig sensor = Tw1Bench.sensorConfig();
        EntitySettings settings = new EntitySettings(Duration.ofHours(1));
        List<Variant> variants = List.of(
            new Variant("bare event-sourced actor", id -> BareEntity.create("bare-" + id)),
            new Variant("Tidewatch entity, one reading", id -> TrackedProbe.create(
                TrackedEntity.create(sensor, settings, readSide, readSide, id, Optional.empty(), Clock.systemUTC()),
                outputs -> readSide.publish(sensor.type(), id, outputs))));
        for (int v = 0; v < variants.size(); v++) { // the JIT compiles the code paths of every variant first
          startAll(system, cassandra, v, variants.get(v), "warmup-", warmup, inFlight);
        }
        StringBuilder report = new StringBuilder(String.format(Locale.ROOT,
            "entity-start: cold starts of never-seen entities on a local Cassandra, %,d in flight, "
                + "after %,d of each to warm up%n",
            inFlight, warmup));
        for (int v = 0; v < variants.size(); v++) {
          report.append(startAll(system, cassandra, v, variants.get(v), "sensor-", entities, inFlight).line());
        }
        return report.toString();
      } finally {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().join();
      }
    }
  }

  /** The node's configuration on a bench's local Cassandra, without a cluster port of its own. */
  static Config config(CassandraLauncher.Running cassandra) {
    Config overrides = ConfigFactory.parseMap(Map.of(
        "tidewatch.cassandra.contact-points", cassandra.contactPoint(),
        "pekko.remote.artery.canonical.port", 0,
        "pekko.loglevel", "WARNING"));
    return NodeConfig.load(overrides, null);
  }

  /** One kind of entity, made for an id. */
  private record Variant(String name, Function<String, Behavior<Probe>> entity) {}

  /** Wakes {@code count} new entities of the variant, at most {@code maxInFlight} at once, and waits for all. */
  private static Figures startAll(
      ActorSystem<Void> system, CassandraLauncher.Running cassandra, int index, Variant variant, String idPrefix,
      int count, int maxInFlight) throws Exception {
    long cpuBefore = ProcessStats.cpuMillis(ProcessHandle.current().pid());
    long cassandraBefore = ProcessStats.cpuMillis(cassandra.pid());
    long start = System.nanoTime();
    Semaphore inFlight = new Semaphore(maxInFlight);
    List<CompletableFuture<Done>> acks = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      inFlight.acquire();
      String id = String.format(Locale.ROOT, "%s%05d", idPrefix, i);
      // Variants share ids (not persistence ids); actor names must differ.
      ActorRef<Probe> entity = system.systemActorOf(variant.entity().apply(id), "v" + index + "-" + id, Props.empty());
      CompletionStage<Done> ack = AskPattern.ask(entity, Probe::new, Duration.ofSeconds(120), system.scheduler());
      acks.add(ack.toCompletableFuture().whenComplete((ok, failure) -> inFlight.release()));
    }
    CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).join();
    double seconds = (System.nanoTime() - start) / 1e9;
    return new Figures(variant.name(), count, seconds,
        ProcessStats.cpuMillis(ProcessHandle.current().pid()) - cpuBefore,
        ProcessStats.cpuMillis(cassandra.pid()) - cassandraBefore);
  }

  /** The bench's one command: journal one reading's worth and answer once it is written. */
  record Probe(ActorRef<Done> replyTo) {}

  /** The least an event-sourced entity does: recover (nothing), persist one small event, reply. */
  static final class BareEntity extends EventSourcedBehavior<Probe, Event, Long> {

    static Behavior<Probe> create(String id) {
      return new BareEntity(id);
    }

    private BareEntity(String id) {
      super(PersistenceId.of("bench", id));
    }

    @Override
    public Long emptyState() {
      return 0L;
    }

    @Override
    public CommandHandler<Probe, Event, Long> commandHandler() {
      return newCommandHandlerBuilder()
          .forAnyState()
          .onCommand(Probe.class, (state, probe) -> Effect()
              .persist(new EntityRegistered(System.currentTimeMillis()))
              .thenRun(s -> probe.replyTo().tell(Done.getInstance())))
          .build();
    }

    @Override
    public EventHandler<Long, Event> eventHandler() {
      return newEventHandlerBuilder().forAnyState().onAnyEvent((state, event) -> state + 1);
    }
  }

  /** Tidewatch's entity as a child, sent one reading per probe; answers once the reply's outputs are published. */
  static final class TrackedProbe {

    private TrackedProbe() {}

    static Behavior<Probe> create(
        Behavior<EntityProtocol.Command> entity, Function<EntityProtocol.Outputs, CompletionStage<?>> publish) {
      return Behaviors.setup(ctx -> {
        ActorRef<EntityProtocol.Command> child = ctx.spawn(entity, "entity");
        return Behaviors.receiveMessage(probe -> {
          var reading = new SourcedReading(T0, Map.of("temperature", 20.0), null, Map.of(), 0, 0);
          CompletionStage<EntityProtocol.RecordAck> ack = AskPattern.ask(
              child,
              replyTo -> new RecordReadings(List.of(reading), replyTo),
              Duration.ofSeconds(120),
              ctx.getSystem().scheduler());
          ack.thenCompose(ok -> publish.apply(ok.outputs())).whenComplete((ok, failure) -> {
            if (failure == null) { // unanswered on failure: the bench's own ask then fails the run
              probe.replyTo().tell(Done.getInstance());
            }
          });
          return Behaviors.same();
        });
      });
    }
  }
}
