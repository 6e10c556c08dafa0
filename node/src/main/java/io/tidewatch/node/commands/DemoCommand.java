package io.tidewatch.node.commands;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.tidewatch.deploy.LocalInfra;
import io.tidewatch.node.Node;
import io.tidewatch.node.NodeConfig;
import io.tidewatch.node.simulate.Simulator;
import io.tidewatch.node.simulate.SimulatorSettings;
import io.tidewatch.node.NodeTokens;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.pekko.actor.typed.ActorSystem;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tidewatch demo}: real Kafka and Cassandra as child JVMs with data under {@code ./.tidewatch}, one node,
 * and the simulator. Ctrl-C stops the simulator, then the node (draining and committing), then the brokers.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, description = "Run local Kafka and Cassandra, one node and the simulator.")
public final class DemoCommand implements Callable<Integer> {

  private static final int DEMO_SENSORS = 100;
  private static final double DEMO_RATE = 200;

  @Option(names = "--no-simulator", description = "Do not start the simulator.")
  boolean noSimulator;

  @Option(names = "--data-dir", defaultValue = ".tidewatch", description = "Where the brokers keep their data (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Override
  public Integer call() {
    LocalInfra infra = LocalInfra.start(dataDir, LocalInfra.Ports.demo(), LocalInfra.DEFAULT_TOPICS);
    Config overrides =
        ConfigFactory.parseMap(
            Map.of(
                "tidewatch.kafka.bootstrap-servers", infra.kafkaBootstrapServers(),
                "tidewatch.cassandra.contact-points", infra.cassandraContactPoint(),
                "tidewatch.http.tokens-file", dataDir.resolve("tokens").toString()));
    ActorSystem<Void> system;
    try {
      system = Node.start(NodeConfig.load(overrides, null));
    } catch (RuntimeException e) {
      infra.close();
      throw e;
    }
    Simulator simulator =
        noSimulator
            ? null
            : Simulator.start(
                new SimulatorSettings(
                    infra.kafkaBootstrapServers(), "tidewatch.readings", DEMO_SENSORS, 0, DEMO_RATE, 0.002, 0, 0, 0, 42));
    // On Ctrl-C Pekko's own hook runs CoordinatedShutdown (the ingest drains and commits); the brokers wait for it.
    infra.stopOnShutdownAfter(system.getWhenTerminated());
    if (simulator != null) {
      Runtime.getRuntime().addShutdownHook(new Thread(simulator::close, "tidewatch-simulator-stop"));
    }
    printWelcome(system);
    system.getWhenTerminated().toCompletableFuture().join();
    return 0;
  }

  private void printWelcome(ActorSystem<Void> system) {
    Config config = system.settings().config();
    String api = "http://" + config.getString("tidewatch.http.interface") + ":" + config.getInt("tidewatch.http.port");
    String management =
        "http://" + config.getString("pekko.management.http.hostname") + ":" + config.getInt("pekko.management.http.port");
    System.out.printf(
        "%nTidewatch demo is running (data in %s).%n"
            + (noSimulator ? "" : "  The simulator sends %2$s readings/s for sensor-00000 … sensor-%3$05d.%n")
            + "  Dashboard:            %4$s/ (paste the tokens below, separated by spaces)%n"
            + "  State of one sensor:  curl -H \"Authorization: Bearer $READER\" %4$s/api/v1/entities/sensor/sensor-00000%n"
            + "  Health:               curl %5$s/ready%n"
            + "  API description:      curl %4$s/api/v1/openapi.json%n"
            + "%6$s"
            + "Ctrl-C stops everything.%n%n",
        dataDir.toAbsolutePath(),
        (int) DEMO_RATE,
        DEMO_SENSORS - 1,
        api,
        management,
        tokens(config));
  }

  /** The tokens, when the node read or made them in the tokens file (configured ones are the operator's own). */
  private static String tokens(Config config) {
    if (!config.getString("tidewatch.http.tokens").isBlank()) {
      return "  API tokens: as configured in TIDEWATCH_TOKENS / tidewatch.http.tokens.\n";
    }
    Path file = NodeTokens.file(config);
    try {
      StringBuilder text = new StringBuilder("  API tokens (from " + file + "); set e.g. READER=<the reader token>:\n");
      for (String line : Files.readAllLines(file)) {
        if (!line.isBlank() && !line.startsWith("#")) {
          int eq = line.lastIndexOf('=');
          text.append("    %-9s %s\n".formatted(line.substring(eq + 1), line.substring(0, eq)));
        }
      }
      return text.toString();
    } catch (IOException e) {
      return "  API tokens: cannot read " + file + " (" + e.getMessage() + ")\n";
    }
  }
}
