package io.tidewatch.node.bench;

import io.tidewatch.deploy.CassandraLauncher;
import io.tidewatch.deploy.FreePorts;
import io.tidewatch.node.simulate.Tw1Workload;
import io.tidewatch.persistence.state.EntityState;
import io.tidewatch.persistence.state.RecordPlan;
import io.tidewatch.protocol.CborSerializable;
import io.tidewatch.protocol.EntityProtocol;
import io.tidewatch.protocol.EntityProtocol.CommandJournaled;
import io.tidewatch.protocol.EntityProtocol.Event;
import io.tidewatch.protocol.EntityProtocol.SourcedReading;
import io.tidewatch.sharding.ingest.IngestSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;

/**
 * Does the journal's shape matter? TW-1's readings are cut into commands of the size the ingest asks with, folded
 * through the entity's own state ({@link RecordPlan}) to its entries — its readings in chunks split where a window
 * closes, the windows it closed, its alerts, the registration of a new entity — and those are then written to a real
 * local Cassandra by bare event-sourced actors in two shapes: one journal row per entry (the journal before
 * 2026-12-04), and one row per command holding the same entries ({@link CommandJournaled}, the journal since).
 * Every entity is woken before the measured phase, so only the writes are measured: the wall time and the CPU of
 * this JVM and of Cassandra per command, and the serialized bytes. Variants alternate (A B B A) so that drift on a noisy box hits both.
 */
public final class JournalShapeBench {

  private final Tw1Workload workload;
  private final int readingsPerCommand;
  private final Path workDir;

  public JournalShapeBench(Tw1Workload workload, int readingsPerCommand, Path workDir) {
    this.workload = workload;
    this.readingsPerCommand = readingsPerCommand;
    this.workDir = workDir;
  }

  /** Every event one command journals, in its order. */
  private record CommandEvents(String entityId, List<Event> events) {}

  private record Shape(String name, Function<List<Event>, List<? extends CborSerializable>> rows) {}

  private record Figures(
      String shape, int commands, long rows, long bytes, double seconds, long cpuMillis, long cassandraCpuMillis) {
    String line() {
      return String.format(
          Locale.ROOT,
          "  %-26s %,7d commands, %,8d rows (%.2f per command), %,5.0f bytes per command: %6.2f s = %,6.0f/s;"
              + " CPU per command: this JVM %.3f ms, Cassandra %.3f ms%n",
          shape, commands, rows, (double) rows / commands, (double) bytes / commands, seconds, commands / seconds,
          (double) cpuMillis / commands, (double) cassandraCpuMillis / commands);
    }
  }

  public String run() throws Exception {
    List<List<CommandEvents>> rounds = plan();
    int commands = rounds.stream().mapToInt(List::size).sum();
    List<Shape> shapes = List.of(
        new Shape("one row per event (before)", events -> events),
        new Shape("one row per command (now)", events -> List.of(CommandJournaled.of(events))));
    try (CassandraLauncher.Running cassandra =
        new CassandraLauncher(workDir.resolve("cassandra"), FreePorts.next(), FreePorts.next()).start()) {
      cassandra.applySchema();
      ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "journal-shape-bench", EntityStartBench.config(cassandra));
      try {
        int inFlight = IngestSettings.create(system).askParallelism();
        Serialization serialization = SerializationExtension.get(Adapter.toClassic(system));
        // Warm-up: each shape once on its own persistence ids, not reported; then A B B A.
        int[] order = {0, 1, 0, 1, 1, 0};
        List<Figures> measured = new ArrayList<>();
        for (int run = 0; run < order.length; run++) {
          Shape shape = shapes.get(order[run]);
          Figures f = write(system, cassandra, serialization, shape, "r" + run, rounds, inFlight);
          if (run >= 2) {
            measured.add(f);
          }
        }
        StringBuilder report = new StringBuilder(String.format(Locale.ROOT,
            "journal-shape: TW-1 (%,d sensors, %,d readings) in commands of %d readings folded to their entries,"
                + " written by bare event-sourced actors to a local Cassandra, %,d commands in flight,"
                + " entities woken first; each shape warmed up once, then measured A B B A%n",
            workload.sensors(), workload.size(), readingsPerCommand, inFlight));
        measured.forEach(f -> report.append(f.line()));
        return report.toString();
      } finally {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().join();
      }
    }
  }

  /** TW-1 cut into commands, round by round as the ingest's batches ask, each folded to the events it journals. */
  private List<List<CommandEvents>> plan() {
    Map<String, List<SourcedReading>> perEntity = new LinkedHashMap<>();
    Map<String, Long> offsets = new LinkedHashMap<>();
    workload.forEach(r -> {
      long offset = offsets.merge(r.entityId(), 1L, Long::sum);
      perEntity.computeIfAbsent(r.entityId(), id -> new ArrayList<>())
          .add(new SourcedReading(r.ts(), Map.of("temperature", r.temperature()), null, Map.of(), 0, offset));
    });
    List<List<CommandEvents>> rounds = new ArrayList<>();
    var config = Tw1Bench.sensorConfig();
    for (var entry : perEntity.entrySet()) {
      EntityState state = new EntityState(config, entry.getKey());
      List<SourcedReading> readings = entry.getValue();
      long seqNr = 0;
      for (int from = 0, round = 0; from < readings.size(); from += readingsPerCommand, round++) {
        List<SourcedReading> chunk = readings.subList(from, Math.min(readings.size(), from + readingsPerCommand));
        RecordPlan plan = RecordPlan.record(state, EntityProtocol.DEFAULT_TOPIC, chunk, seqNr, Tw1Workload.T0);
        seqNr += plan.events().size();
        while (rounds.size() <= round) {
          rounds.add(new ArrayList<>());
        }
        rounds.get(round).add(new CommandEvents(entry.getKey(), List.copyOf(plan.events())));
      }
    }
    return rounds;
  }

  /** Wakes one entity per id of the workload, then writes every command's rows in the shape, round by round. */
  private static Figures write(
      ActorSystem<Void> system, CassandraLauncher.Running cassandra, Serialization serialization, Shape shape,
      String run, List<List<CommandEvents>> rounds, int maxInFlight) throws Exception {
    Map<String, ActorRef<ShapeEntity.Command>> entities = new LinkedHashMap<>();
    Semaphore inFlight = new Semaphore(maxInFlight);
    List<CompletableFuture<Done>> woken = new ArrayList<>();
    for (CommandEvents c : rounds.get(0)) {
      inFlight.acquire();
      var ref = system.systemActorOf(ShapeEntity.create(run + "-" + c.entityId()), run + "-" + c.entityId(), Props.empty());
      entities.put(c.entityId(), ref);
      woken.add(ask(system, ref, ShapeEntity.Wake::new).whenComplete((ok, failure) -> inFlight.release()));
    }
    CompletableFuture.allOf(woken.toArray(CompletableFuture[]::new)).join();

    long rows = 0;
    long bytes = 0;
    int commands = 0;
    long cpuBefore = ProcessStats.cpuMillis(ProcessHandle.current().pid());
    long cassandraBefore = ProcessStats.cpuMillis(cassandra.pid());
    long start = System.nanoTime();
    List<CompletableFuture<Done>> acks = new ArrayList<>();
    for (List<CommandEvents> round : rounds) {
      for (CommandEvents c : round) {
        List<? extends CborSerializable> journaled = shape.rows().apply(c.events());
        rows += journaled.size();
        for (CborSerializable row : journaled) { // the journal serializes each row once more when it writes
          bytes += serialization.serialize(row).get().length;
        }
        commands++;
        inFlight.acquire();
        acks.add(ask(system, entities.get(c.entityId()), replyTo -> new ShapeEntity.Journal(journaled, replyTo))
            .whenComplete((ok, failure) -> inFlight.release()));
      }
    }
    CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).join();
    double seconds = (System.nanoTime() - start) / 1e9;
    Figures figures = new Figures(shape.name(), commands, rows, bytes, seconds,
        ProcessStats.cpuMillis(ProcessHandle.current().pid()) - cpuBefore,
        ProcessStats.cpuMillis(cassandra.pid()) - cassandraBefore);
    return figures;
  }

  private static CompletableFuture<Done> ask(
      ActorSystem<Void> system, ActorRef<ShapeEntity.Command> ref,
      org.apache.pekko.japi.function.Function<ActorRef<Done>, ShapeEntity.Command> message) {
    return AskPattern.ask(ref, message, Duration.ofSeconds(120), system.scheduler()).toCompletableFuture();
  }

  /** A bare event-sourced actor that journals the rows it is given, all in one write, and answers once written. */
  static final class ShapeEntity extends EventSourcedBehavior<ShapeEntity.Command, CborSerializable, Long> {

    sealed interface Command {}

    record Wake(ActorRef<Done> replyTo) implements Command {}

    record Journal(List<? extends CborSerializable> rows, ActorRef<Done> replyTo) implements Command {}

    static Behavior<Command> create(String id) {
      return new ShapeEntity(id);
    }

    private ShapeEntity(String id) {
      super(PersistenceId.of("shape", id));
    }

    @Override
    public Long emptyState() {
      return 0L;
    }

    @Override
    public CommandHandler<Command, CborSerializable, Long> commandHandler() {
      return newCommandHandlerBuilder()
          .forAnyState()
          .onCommand(Wake.class, (state, wake) -> Effect().none().thenRun(s -> wake.replyTo().tell(Done.getInstance())))
          .onCommand(Journal.class, (state, journal) -> Effect()
              .persist(new ArrayList<CborSerializable>(journal.rows()))
              .thenRun(s -> journal.replyTo().tell(Done.getInstance())))
          .build();
    }

    @Override
    public EventHandler<Long, CborSerializable> eventHandler() {
      return newEventHandlerBuilder().forAnyState().onAnyEvent((state, event) -> state + 1);
    }
  }
}
