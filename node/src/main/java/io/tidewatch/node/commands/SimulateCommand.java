package io.tidewatch.node.commands;

import io.tidewatch.node.simulate.Simulator;
import io.tidewatch.node.simulate.SimulatorSettings;
import io.tidewatch.node.simulate.Tw1Producer;
import io.tidewatch.node.simulate.Tw1Workload;
import io.tidewatch.protocol.ReadingFormat;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tidewatch simulate}: produce simulated readings to the input topic until Ctrl-C. */
@Command(name = "simulate", mixinStandardHelpOptions = true, description = "Produce simulated sensor readings and user events.")
public final class SimulateCommand implements Callable<Integer> {

  @Option(names = "--bootstrap", defaultValue = "${env:TIDEWATCH_KAFKA_BOOTSTRAP:-127.0.0.1:19092}", description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
  String bootstrap;

  @Option(names = "--topic", defaultValue = "tidewatch.readings", description = "Input topic (default: ${DEFAULT-VALUE}).")
  String topic;

  @Option(names = "--sensors", defaultValue = "100", description = "Number of sensors (default: ${DEFAULT-VALUE}).")
  int sensors;

  @Option(names = "--users", defaultValue = "0", description = "Number of users (default: ${DEFAULT-VALUE}).")
  int users;

  @Option(names = "--rate", defaultValue = "200", description = "Readings per second in total, e.g. 200 or 200/s (default: ${DEFAULT-VALUE}).")
  String rate;

  @Option(names = "--anomaly-rate", defaultValue = "0.002", description = "Fraction of sensor readings that jump by ±15 (default: ${DEFAULT-VALUE}).")
  double anomalyRate;

  @Option(names = "--disorder", defaultValue = "0s", description = "Event times lag by up to this much, e.g. 2s (default: ${DEFAULT-VALUE}).")
  String disorder;

  @Option(names = "--very-late-rate", defaultValue = "0", description = "Fraction of readings sent --very-late behind (default: ${DEFAULT-VALUE}).")
  double veryLateRate;

  @Option(names = "--very-late", defaultValue = "90s", description = "How far behind very late readings are (default: ${DEFAULT-VALUE}).")
  String veryLate;

  @Option(names = "--seed", defaultValue = "42", description = "Random seed, for repeatable runs (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--format", defaultValue = "json",
      description = "Wire format of the readings: json, or protobuf (with the content-type header) (default: ${DEFAULT-VALUE}).")
  ReadingFormat format;

  @Option(names = "--tw1", description = "Write workload TW-1 (shared/bench/TW-1.md) once, as fast as Kafka takes it, then exit; --sensors (10000 if not given) and --rounds set its size.")
  boolean tw1;

  @Option(names = "--rounds", defaultValue = "200", description = "With --tw1: readings per sensor (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Override
  public Integer call() throws InterruptedException {
    if (tw1) {
      int tw1Sensors = sensors == 100 ? 10_000 : sensors;
      Tw1Workload workload = new Tw1Workload(tw1Sensors, rounds, seed);
      long sent = Tw1Producer.produce(workload, bootstrap, topic, format);
      System.out.printf("TW-1: %,d readings of %,d sensors written to %s as %s%n", sent, tw1Sensors, topic, format);
      return 0;
    }
    SimulatorSettings settings =
        new SimulatorSettings(
            bootstrap,
            topic,
            sensors,
            users,
            parseRate(rate),
            anomalyRate,
            parseDuration(disorder).toMillis(),
            veryLateRate,
            parseDuration(veryLate).toMillis(),
            seed,
            format);
    Simulator simulator = Simulator.start(settings);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      simulator.close();
      stopped.countDown();
    }, "tidewatch-simulator-stop"));
    stopped.await();
    return 0;
  }

  static double parseRate(String rate) {
    String r = rate.endsWith("/s") ? rate.substring(0, rate.length() - 2) : rate;
    return Double.parseDouble(r);
  }

  /** Durations as the design spells them: 500ms, 2s, 5m, 1h, 1d. */
  static Duration parseDuration(String text) {
    return com.typesafe.config.ConfigFactory.parseString("d = " + text).getDuration("d");
  }
}
