package io.tidewatch.node.commands;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.tidewatch.deploy.LocalInfra;
import io.tidewatch.node.Node;
import io.tidewatch.node.NodeConfig;
import io.tidewatch.node.simulate.Simulator;
import io.tidewatch.node.simulate.SimulatorSettings;
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
                "tidewatch.cassandra.contact-points", infra.cassandraContactPoint()));
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
            + "  State of one sensor:  curl %4$s/api/v1/entities/sensor/sensor-00000%n"
            + "  Health:               curl %5$s/ready%n"
            + "Ctrl-C stops everything.%n%n",
        dataDir.toAbsolutePath(),
        (int) DEMO_RATE,
        DEMO_SENSORS - 1,
        api,
        management);
  }
}
