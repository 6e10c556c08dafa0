package io.tidewatch.node.bench;

import io.tidewatch.deploy.CassandraLauncher;
import io.tidewatch.deploy.FreePorts;
import io.tidewatch.deploy.LocalInfra;
import io.tidewatch.node.cluster.NodeProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The measured node of a benchmark: a child JVM on the node jar against the benchmark's local Kafka and Cassandra,
 * with its own consumer group, HTTP port and reader token, and TW-1's sensor job. Its log goes to the work dir.
 */
final class BenchNode {

  /** Extra JVM options for the measured node, separated by spaces. */
  static final String NODE_OPTS_ENV = "TIDEWATCH_BENCH_NODE_OPTS";

  private BenchNode() {}

  /**
   * Writes the node's configuration: the brokers, consumer group {@code group}, HTTP on {@code httpPort} for
   * {@code token} (reader), TW-1's sensor type (tumbling 60 s, allowed lateness 5 s, delta > 5.0 on temperature) with
   * idle-close {@code idleClose}, then {@code more} lines.
   */
  static Path writeConfig(
      Path workDir, LocalInfra infra, String group, int httpPort, String token, String idleClose, List<String> more)
      throws IOException {
    List<String> lines = new ArrayList<>(List.of(
        "tidewatch.kafka.bootstrap-servers = \"" + infra.kafkaBootstrapServers() + "\"",
        "tidewatch.cassandra.contact-points = \"" + infra.cassandraContactPoint() + "\"",
        "tidewatch.ingest.group-id = \"" + group + "\"",
        "tidewatch.http.port = " + httpPort,
        "tidewatch.http.tokens = \"" + token + "=reader\"",
        "pekko.management.http.port = " + FreePorts.next(),
        "pekko.remote.artery.canonical.port = " + FreePorts.next(),
        "tidewatch.entity-types.sensor {",
        "  windows = [{ type = tumbling, size = 60s }]",
        "  allowed-lateness = 5s",
        "  idle-close = " + idleClose,
        "  anomalies = [{ rule = delta, metrics = [temperature], threshold = 5.0 }]",
        "  recent-windows-per-spec = 60",
        "  recent-alerts = 100",
        "}"));
    lines.addAll(more);
    Path file = workDir.resolve("node.conf");
    Files.writeString(file, String.join("\n", lines) + "\n");
    return file;
  }

  /** Starts the node with the options every node has, {@code heap}, and then those of {@link #NODE_OPTS_ENV}. */
  static Process start(Path home, Path workDir, String heap, Path config) throws IOException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> command = new ArrayList<>(
        List.of(java.toString(), NodeProcess.jvmOptionsFile(home), "-Xms" + heap, "-Xmx" + heap));
    // Extra options for the measured node only, e.g. a flight recording.
    String extra = System.getenv().getOrDefault(NODE_OPTS_ENV, "").trim();
    if (!extra.isEmpty()) {
      command.addAll(List.of(extra.split("\\s+")));
    }
    command.addAll(List.of(
        "-Dtidewatch.home=" + home,
        "-jar",
        home.resolve("node/target/tidewatch-node.jar").toString(),
        "node",
        "--config",
        config.toString()));
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(workDir.resolve("node.log").toFile())
        .start();
  }

  /** Extra JVM options of the node and of Cassandra, when the environment gave any: part of what was measured. */
  static String jvmOptions() {
    StringBuilder lines = new StringBuilder();
    for (String env : List.of(NODE_OPTS_ENV, CassandraLauncher.EXTRA_OPTS_ENV)) {
      String value = System.getenv().getOrDefault(env, "").trim();
      if (!value.isEmpty()) {
        lines.append(String.format(Locale.ROOT, "  %s=\"%s\"%n", env, value));
      }
    }
    return lines.toString();
  }
}
