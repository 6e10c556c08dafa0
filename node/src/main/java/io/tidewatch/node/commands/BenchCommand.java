package io.tidewatch.node.commands;

import io.tidewatch.node.bench.DetectorCostBench;
import io.tidewatch.node.bench.EntityHeapBench;
import io.tidewatch.node.bench.EntityStartBench;
import io.tidewatch.node.bench.FailoverBench;
import io.tidewatch.node.bench.JournalShapeBench;
import io.tidewatch.node.bench.LiveLatencyBench;
import io.tidewatch.node.bench.NotifyLatencyBench;
import io.tidewatch.node.bench.PipelineBench;
import io.tidewatch.node.bench.Tw1Bench;
import io.tidewatch.node.simulate.Tw1Workload;
import io.tidewatch.protocol.ReadingFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code tidewatch bench ...}: benchmarks that print a report (targets live here, never in tests). */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Run a benchmark and print its report.",
    subcommands = {BenchCommand.EntityHeap.class, BenchCommand.EntityStart.class, BenchCommand.JournalShape.class, BenchCommand.Tw1.class, BenchCommand.LiveLatency.class,
        BenchCommand.NotifyLatency.class, BenchCommand.DetectorCost.class,
        BenchCommand.Failover.class, BenchCommand.PipelineCost.class})
public final class BenchCommand {

  /** {@code tidewatch bench entity-heap}: heap bytes per live entity. */
  @Command(name = "entity-heap", mixinStandardHelpOptions = true, description = "Heap bytes per live entity (default sensor config).")
  static final class EntityHeap implements Callable<Integer> {

    @Option(names = "--entities", defaultValue = "100000", description = "Entities to create (default: ${DEFAULT-VALUE}).")
    int entities;

    @Option(names = "--readings", defaultValue = "3", description = "Readings per entity (default: ${DEFAULT-VALUE}; with --rcf at least its warm-up + 44).")
    int readings;

    @Option(names = "--rcf", description = "Give the sensor type an rcf rule over temperature and humidity (default sizes) and feed each entity past its warm-up.")
    boolean rcf;

    @Mixin
    Report report;

    @Override
    public Integer call() throws Exception {
      EntityHeapBench bench = new EntityHeapBench(entities, readings, rcf);
      String figures = bench.run();
      return report.print(figures, String.format("bin/tidewatch bench entity-heap --entities %d --readings %d%s",
          entities, bench.readingsPerEntity(), rcf ? " --rcf" : ""));
    }
  }

  /** {@code tidewatch bench entity-start}: what waking never-seen entities costs, Pekko's floor beside ours. */
  @Command(name = "entity-start", mixinStandardHelpOptions = true,
      description = "Cold starts of never-seen entities on a local Cassandra: a bare event-sourced actor and Tidewatch's entity.")
  static final class EntityStart implements Callable<Integer> {

    @Option(names = "--entities", defaultValue = "10000", description = "Starts measured per variant (default: ${DEFAULT-VALUE}).")
    int entities;

    @Option(names = "--warmup", defaultValue = "3000", description = "Starts per variant before measuring (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Mixin
    Report report;

    @Override
    public Integer call() throws Exception {
      String figures = new EntityStartBench(entities, warmup, report.workDir("tidewatch-entity-start")).run();
      return report.print(figures, String.format("bin/tidewatch bench entity-start --entities %d --warmup %d", entities, warmup));
    }
  }

  /** {@code tidewatch bench journal-shape}: one journal row per event against one per command, same events. */
  @Command(name = "journal-shape", mixinStandardHelpOptions = true,
      description = "TW-1's events written to a local Cassandra as one row per event and as one row per command.")
  static final class JournalShape implements Callable<Integer> {

    @Option(names = "--sensors", defaultValue = "10000", description = "Sensors (default: ${DEFAULT-VALUE}).")
    int sensors;

    @Option(names = "--rounds", defaultValue = "200", description = "Readings per sensor (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--readings-per-command", defaultValue = "45",
        description = "Readings per command, as the ingest asks in TW-1 (default: ${DEFAULT-VALUE}).")
    int readingsPerCommand;

    @Mixin
    Report report;

    @Override
    public Integer call() throws Exception {
      String figures = new JournalShapeBench(new Tw1Workload(sensors, rounds, 1), readingsPerCommand,
          report.workDir("tidewatch-journal-shape")).run();
      return report.print(figures, String.format(
          "bin/tidewatch bench journal-shape --sensors %d --rounds %d --readings-per-command %d",
          sensors, rounds, readingsPerCommand));
    }
  }

  /** {@code tidewatch bench tw1}: workload TW-1 from a cold start on a fresh local Kafka and Cassandra. */
  @Command(name = "tw1", mixinStandardHelpOptions = true, description = "Workload TW-1: backlog catch-up rate and exactness.")
  static final class Tw1 implements Callable<Integer> {

    @Option(names = "--sensors", defaultValue = "10000", description = "Sensors (default: ${DEFAULT-VALUE}).")
    int sensors;

    @Option(names = "--rounds", defaultValue = "200", description = "Readings per sensor (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--seed", defaultValue = "1", description = "Workload seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--node-heap", defaultValue = "4g", description = "Heap of the measured node (default: ${DEFAULT-VALUE}).")
    String nodeHeap;

    @Option(names = "--batch-size", defaultValue = "500000", description = "Ingest batch size of the node (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--batch-window", defaultValue = "1s", description = "Ingest batch window of the node (default: ${DEFAULT-VALUE}).")
    String batchWindow;

    @Option(names = "--backlog-batch-window", defaultValue = "30s",
        description = "Ingest batch window while the node is behind (default: ${DEFAULT-VALUE}).")
    String backlogBatchWindow;

    @Option(names = "--format", defaultValue = "json",
        description = "Wire format of the workload's records: json, or protobuf (default: ${DEFAULT-VALUE}).")
    ReadingFormat format;

    @Option(names = "--pipeline",
        description = "Run the readings through two CEL predicates that keep them all: what the pipeline costs the node.")
    boolean pipeline;

    @Mixin
    Report report;

    @Override
    public Integer call() throws Exception {
      String figures =
          new Tw1Bench(new Tw1Workload(sensors, rounds, seed), format, Report.home(), report.workDir("tidewatch-tw1"),
              nodeHeap, batchSize, batchWindow, backlogBatchWindow, pipeline).run();
      return report.print(figures, String.format(
          "bin/tidewatch bench tw1 --sensors %d --rounds %d --seed %d --node-heap %s --batch-size %d --batch-window %s"
              + " --backlog-batch-window %s --format %s%s",
          sensors, rounds, seed, nodeHeap, batchSize, batchWindow, backlogBatchWindow,
          format.name().toLowerCase(java.util.Locale.ROOT), pipeline ? " --pipeline" : ""));
    }
  }

  /** {@code tidewatch bench live-latency}: produce -> state visible under a steady live load. */
  @Command(name = "live-latency", mixinStandardHelpOptions = true,
      description = "Under a steady live load on one node: time from a reading's send to its entity's state showing it over HTTP.")
  static final class LiveLatency implements Callable<Integer> {

    @Option(names = "--sensors", defaultValue = "10000", description = "Sensors (default: ${DEFAULT-VALUE}).")
    int sensors;

    @Option(names = "--rate", defaultValue = "20000", description = "Live load, readings per second (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--warmup", defaultValue = "60s", description = "Load before measuring (default: ${DEFAULT-VALUE}).")
    String warmup;

    @Option(names = "--measure", defaultValue = "60s", description = "How long probes are sent (default: ${DEFAULT-VALUE}).")
    String measure;

    @Option(names = "--probers", defaultValue = "4", description = "Probes out at once (default: ${DEFAULT-VALUE}).")
    int probers;

    @Option(names = "--node-heap", defaultValue = "4g", description = "Heap of the measured node (default: ${DEFAULT-VALUE}).")
    String nodeHeap;

    @Mixin
    Report report;

    @Override
    public Integer call() throws Exception {
      var settings = new LiveLatencyBench.Settings(sensors, rate, SimulateCommand.parseDuration(warmup),
          SimulateCommand.parseDuration(measure), probers, nodeHeap);
      String figures = new LiveLatencyBench(settings, Report.home(), report.workDir("tidewatch-live-latency")).run();
      return report.print(figures, String.format(
          "bin/tidewatch bench live-latency --sensors %d --rate %d --warmup %s --measure %s --probers %d --node-heap %s",
          sensors, rate, warmup, measure, probers, nodeHeap));
    }
  }

  /** {@code tidewatch bench detector-cost}: CPU per reading of each anomaly detector, in the entity's fold. */
  @Command(name = "detector-cost", mixinStandardHelpOptions = true,
      description = "CPU per reading of each anomaly detector set, TW-1 folded through the entity's own RecordPlan.")
  static final class DetectorCost implements Callable<Integer> {

    @Option(names = "--sensors", defaultValue = "250", description = "Sensors (default: ${DEFAULT-VALUE}).")
    int sensors;

    @Option(names = "--rounds", defaultValue = "400", description = "Readings per sensor; rcf scores after 256 (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--onnx-model", description = "An ONNX model taking [1, 1] floats (temperature) for an onnx set.")
    String onnxModel;

    @Mixin
    Report report;

    @Override
    public Integer call() throws Exception {
      String figures = new DetectorCostBench(new DetectorCostBench.Settings(sensors, rounds, onnxModel)).run();
      return report.print(figures, String.format("bin/tidewatch bench detector-cost --sensors %d --rounds %d%s",
          sensors, rounds, onnxModel == null ? "" : " --onnx-model " + onnxModel));
    }
  }

  /** {@code tidewatch bench notify-latency}: incident transition -> webhook receiver under a steady live load. */
  @Command(name = "notify-latency", mixinStandardHelpOptions = true,
      description = "Under a steady live load with spikes: time from an incident transition to a webhook receiver.")
  static final class NotifyLatency implements Callable<Integer> {

    @Option(names = "--sensors", defaultValue = "1000", description = "Sensors (default: ${DEFAULT-VALUE}).")
    int sensors;

    @Option(names = "--rate", defaultValue = "2000", description = "Live load, readings per second (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--spikes", defaultValue = "5", description = "Spikes per second, each opening an incident (default: ${DEFAULT-VALUE}).")
    double spikes;

    @Option(names = "--group-wait", defaultValue = "100ms", description = "The notifier's group-wait (default: ${DEFAULT-VALUE}).")
    String groupWait;

    @Option(names = "--warmup", defaultValue = "30s", description = "Load before measuring (default: ${DEFAULT-VALUE}).")
    String warmup;

    @Option(names = "--measure", defaultValue = "60s", description = "How long spikes are measured (default: ${DEFAULT-VALUE}).")
    String measure;

    @Option(names = "--node-heap", defaultValue = "2g", description = "Heap of the measured node (default: ${DEFAULT-VALUE}).")
    String nodeHeap;

    @Mixin
    Report report;

    @Override
    public Integer call() throws Exception {
      var settings = new NotifyLatencyBench.Settings(sensors, rate, spikes, SimulateCommand.parseDuration(warmup),
          SimulateCommand.parseDuration(measure), SimulateCommand.parseDuration(groupWait), nodeHeap);
      String figures = new NotifyLatencyBench(settings, Report.home(), report.workDir("tidewatch-notify-latency")).run();
      return report.print(figures, String.format(
          "bin/tidewatch bench notify-latency --sensors %d --rate %d --spikes %s --group-wait %s --warmup %s --measure %s --node-heap %s",
          sensors, rate, spikes, groupWait, warmup, measure, nodeHeap));
    }
  }

  /** {@code tidewatch bench failover}: SIGKILL one node of a local cluster under live load. */
  @Command(name = "failover", mixinStandardHelpOptions = true,
      description = "Kill one node of a local cluster under load: time until every entity answers and ingest is back.")
  static final class Failover implements Callable<Integer> {

    @Option(names = "--nodes", defaultValue = "3", description = "Cluster size (default: ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--sensors", defaultValue = "1000", description = "Sensors (default: ${DEFAULT-VALUE}).")
    int sensors;

    @Option(names = "--rate", defaultValue = "1000", description = "Live load, readings per second (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--kill", defaultValue = "0", description = "Index of the node to kill; 0 is the oldest (default: ${DEFAULT-VALUE}).")
    int victim;

    @Option(names = "--warmup", defaultValue = "20s", description = "Steady load before the kill (default: ${DEFAULT-VALUE}).")
    String warmup;

    @Mixin
    Report report;

    @Override
    public Integer call() throws Exception {
      if (nodes < 2 || victim < 0 || victim >= nodes) {
        throw new IllegalArgumentException("--nodes must be at least 2 and --kill an index below it");
      }
      String figures =
          new FailoverBench(new FailoverBench.Settings(nodes, sensors, rate, victim, SimulateCommand.parseDuration(warmup)),
              Report.home(), report.workDir("tidewatch-failover")).run();
      return report.print(figures, String.format("bin/tidewatch bench failover --nodes %d --sensors %d --rate %d --kill %d --warmup %s",
          nodes, sensors, rate, victim, warmup));
    }
  }

  /** {@code tidewatch bench pipeline}: the per-reading cost of a type's pipeline of two CEL expressions. */
  @Command(name = "pipeline", mixinStandardHelpOptions = true,
      description = "Per-reading cost of a pipeline of two CEL expressions over TW-1 readings, in process.")
  static final class PipelineCost implements Callable<Integer> {

    @Option(names = "--sensors", defaultValue = "10000", description = "Sensors (default: ${DEFAULT-VALUE}).")
    int sensors;

    @Option(names = "--rounds", defaultValue = "200", description = "Readings per sensor (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--passes", defaultValue = "3", description = "Measured passes over the readings (default: ${DEFAULT-VALUE}).")
    int passes;

    @Mixin
    Report report;

    @Override
    public Integer call() throws Exception {
      String figures = new PipelineBench(new Tw1Workload(sensors, rounds, 1), passes).run();
      return report.print(figures, String.format(
          "bin/tidewatch bench pipeline --sensors %d --rounds %d --passes %d", sensors, rounds, passes));
    }
  }

  /** Where a benchmark keeps its data, and where its report goes: printed, and appended to the benchmarks file. */
  static final class Report {

    @Option(names = "--work-dir", description = "Where the brokers and the nodes keep data and logs (default: a new temporary directory).")
    Path workDir;

    @Option(names = "--report", defaultValue = "docs/BENCHMARKS.md", description = "File the report is appended to (default: ${DEFAULT-VALUE}).")
    Path reportFile;

    /** The project folder (bin/tidewatch sets it): node jar, docs. */
    static Path home() {
      return Path.of(System.getProperty("tidewatch.home", "."));
    }

    Path workDir(String prefix) throws IOException {
      return workDir != null ? workDir : Files.createTempDirectory(prefix);
    }

    /** Prints the figures with the machine and the command, and appends them as a code block. */
    int print(String figures, String command) throws IOException {
      String report = figures + String.format("  machine: %d cores, %s; command: %s%n",
          Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
          command);
      System.out.print(report);
      Path target = reportFile.isAbsolute() ? reportFile : home().resolve(reportFile);
      Files.createDirectories(target.getParent());
      Files.writeString(target, "\n```\n" + report + "```\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      return 0;
    }
  }
}
