package io.tidewatch.node.commands;

import com.typesafe.config.ConfigFactory;
import io.tidewatch.deploy.LocalInfra;
import io.tidewatch.node.NodeConfig;
import io.tidewatch.node.NodeTokens;
import io.tidewatch.node.cluster.NodeProcess;
import io.tidewatch.node.simulate.Simulator;
import io.tidewatch.node.simulate.SimulatorSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tidewatch cluster-demo --nodes 3}: the demo's Kafka and Cassandra, then N nodes as JVMs of their own
 * forming one Pekko cluster (HTTP 8080.., management 8558.., remoting 25520..; every node is a seed), and the
 * simulator. Ctrl-C stops the simulator, then every node (each drains and leaves), then the brokers.
 */
@Command(name = "cluster-demo", mixinStandardHelpOptions = true,
    description = "Run local Kafka and Cassandra, a cluster of N nodes and the simulator.")
public final class ClusterDemoCommand implements Callable<Integer> {

  private static final Logger log = LoggerFactory.getLogger(ClusterDemoCommand.class);
  private static final Duration READY_TIMEOUT = Duration.ofMinutes(3);

  @Option(names = "--nodes", defaultValue = "3", description = "How many nodes (default: ${DEFAULT-VALUE}).")
  int nodes;

  @Option(names = "--no-simulator", description = "Do not start the simulator.")
  boolean noSimulator;

  @Option(names = "--data-dir", defaultValue = ".tidewatch", description = "Where the brokers keep their data (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Override
  public Integer call() throws InterruptedException {
    if (nodes < 1 || nodes > 9) {
      throw new IllegalArgumentException("--nodes must be between 1 and 9");
    }
    Path home = Path.of(System.getProperty("tidewatch.home", "."));
    Path tokens = dataDir.resolve("tokens");
    // Before anything starts: bad tokens (TIDEWATCH_TOKENS) stop the command with the key and the rule.
    NodeTokens.load(NodeConfig.load(ConfigFactory.parseMap(Map.of("tidewatch.http.tokens-file", tokens.toString())), null));
    LocalInfra infra = LocalInfra.start(dataDir, LocalInfra.Ports.demo(), LocalInfra.DEFAULT_TOPICS);
    Map<String, String> env =
        Map.of(
            "TIDEWATCH_KAFKA_BOOTSTRAP", infra.kafkaBootstrapServers(),
            "TIDEWATCH_CASSANDRA_CONTACT_POINTS", infra.cassandraContactPoint(),
            // Every node is a seed: a restarted first node then rejoins the others instead of forming a cluster alone.
            "TIDEWATCH_SEED_NODES",
            IntStream.range(0, nodes).mapToObj(i -> NodeProcess.Ports.local(i).address()).collect(Collectors.joining(",")),
            "TIDEWATCH_TOKENS_FILE", tokens.toAbsolutePath().toString());
    List<NodeProcess> members = new CopyOnWriteArrayList<>();
    Simulator[] simulator = {null};
    // On Ctrl-C: the simulator, then every node at once (each drains, hands over and leaves); the brokers stop only
    // after the nodes are gone (their own shutdown hooks wait for this gate).
    CompletableFuture<Void> nodesStopped = new CompletableFuture<>();
    infra.stopOnShutdownAfter(nodesStopped);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      if (simulator[0] != null) {
        simulator[0].close();
      }
      long start = System.nanoTime();
      CompletableFuture.allOf(members.stream().map(NodeProcess::stop).toArray(CompletableFuture[]::new)).join();
      log.info("{} node(s) stopped in {} ms", members.size(), Duration.ofNanos(System.nanoTime() - start).toMillis());
      nodesStopped.complete(null);
    }, "tidewatch-cluster-demo-stop"));
    for (int i = 0; i < nodes; i++) {
      members.add(NodeProcess.start(home, "node-" + i, NodeProcess.Ports.local(i), env, List.of("-Xms256m", "-Xmx1g"),
          dataDir.resolve("node-" + i + ".log")));
    }
    members.forEach(member -> member.awaitReady(READY_TIMEOUT));
    if (!noSimulator) {
      simulator[0] = Simulator.start(new SimulatorSettings(
          infra.kafkaBootstrapServers(), "tidewatch.readings", 100, 0, 200, 0.002, 0, 0, 0, 42));
    }
    System.out.printf("%nTidewatch cluster of %d nodes is running (data and node logs in %s).%n", nodes,
        dataDir.toAbsolutePath());
    for (NodeProcess member : members) {
      System.out.printf("  %s: http://127.0.0.1:%d/ (management %d, %s)%n", member.name(), member.ports().http(),
          member.ports().management(), member.ports().address());
    }
    System.out.printf("  Tokens: %s. Members: TIDEWATCH_TOKEN=<operator token> bin/tidewatch cluster members%n"
        + "Ctrl-C stops everything.%n%n", tokens.toAbsolutePath());
    new CountDownLatch(1).await(); // until Ctrl-C: the shutdown hooks do the rest
    return 0;
  }
}
