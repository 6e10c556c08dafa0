package io.tidewatch.deploy;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a single Cassandra 5.0.9 node on 127.0.0.1 as a child JVM on JDK 17, with everything under one directory:
 * {@code cassandra.yaml} and {@code logback.xml} rewritten at each start, the node's data (data, commitlog, hints,
 * saved caches) kept across restarts, and {@code cassandra.log} for its output.
 */
public final class CassandraLauncher {

  /** The data center of a node with {@code SimpleSnitch}. */
  public static final String LOCAL_DATACENTER = "datacenter1";
  /** The Tidewatch keyspace and tables, idempotent (IF NOT EXISTS). */
  public static final String SCHEMA_RESOURCE = "/ddl/tidewatch.cql";

  private static final Logger log = LoggerFactory.getLogger(CassandraLauncher.class);
  /** Extra JVM options for the local node, separated by spaces. */
  public static final String EXTRA_OPTS_ENV = "TIDEWATCH_CASSANDRA_JVM_OPTS";

  private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  // From Cassandra 5.0's conf/jvm17-server.options: without them the node fails in FileUtils at startup.
  private static final List<String> JPMS_EXPORTS = List.of(
      "java.base/jdk.internal.misc", "java.management.rmi/com.sun.jmx.remote.internal.rmi",
      "java.rmi/sun.rmi.registry", "java.rmi/sun.rmi.server", "java.sql/java.sql", "java.base/java.lang.ref",
      "jdk.unsupported/sun.misc", "jdk.compiler/com.sun.tools.javac.file", "jdk.attach/sun.tools.attach");
  private static final List<String> JPMS_OPENS = List.of(
      "java.base/java.lang.module", "java.base/jdk.internal.loader", "java.base/jdk.internal.ref",
      "java.base/jdk.internal.reflect", "java.base/jdk.internal.math", "java.base/jdk.internal.module",
      "java.base/jdk.internal.util.jar", "jdk.management/com.sun.management.internal", "java.base/sun.nio.ch",
      "java.base/java.io", "java.base/java.lang.reflect", "jdk.compiler/com.sun.tools.javac",
      "java.base/java.lang", "java.base/java.util");

  private final Path dataDir;
  private final int nativePort;
  private final int storagePort;
  private final String heap;

  public CassandraLauncher(Path dataDir, int nativePort, int storagePort) {
    this(dataDir, nativePort, storagePort, "512m");
  }

  private CassandraLauncher(Path dataDir, int nativePort, int storagePort, String heap) {
    this.dataDir = dataDir.toAbsolutePath();
    this.nativePort = nativePort;
    this.storagePort = storagePort;
    this.heap = heap;
  }

  /** The same node with a different heap (used as both -Xms and -Xmx), e.g. {@code "1g"}. */
  public CassandraLauncher withHeap(String heapSize) {
    return new CassandraLauncher(dataDir, nativePort, storagePort, heapSize);
  }

  /** Starts the node and returns once a driver session can connect to it. */
  public Running start() {
    ChildJvm.requireFreePort(nativePort, "Cassandra CQL");
    ChildJvm.requireFreePort(storagePort, "Cassandra storage");
    Path lib = RuntimeLocator.cassandraLib();
    Path java = JavaRuntimes.forCassandra();
    writeConfig();

    long start = System.nanoTime();
    ChildJvm node = ChildJvm.start("cassandra", java, jvmArgs(), lib,
        "org.apache.cassandra.service.CassandraDaemon", List.of(), dataDir.resolve("cassandra.log"));
    Running running = new Running(node, nativePort);
    try {
      node.awaitReady(READY_TIMEOUT, () -> ChildJvm.acceptsConnections(nativePort) && running.answers());
    } catch (RuntimeException e) {
      node.stop();
      throw e;
    }
    log.info("Cassandra ready on {} in {} ms (data {}, java {})", running.contactPoint(),
        Duration.ofNanos(System.nanoTime() - start).toMillis(), dataDir, java);
    return running;
  }

  private List<String> jvmArgs() {
    List<String> args = new ArrayList<>(List.of(
        "-Xms" + heap, "-Xmx" + heap, "-Xss256k", "-XX:+UseG1GC", "-ea", "-da:net.openhft...",
        // C1 only: this node shares a small box with the application, where C2's compile time competes with the
        // work itself (bench tw1: Cassandra 55 → 43 CPU s for the same backlog). A production Cassandra keeps C2.
        "-XX:TieredStopAtLevel=1",
        "-XX:+HeapDumpOnOutOfMemoryError", "-XX:HeapDumpPath=" + dataDir,
        "-Djava.net.preferIPv4Stack=true", "-Djdk.attach.allowAttachSelf=true"));
    JPMS_EXPORTS.forEach(p -> args.addAll(List.of("--add-exports", p + "=ALL-UNNAMED")));
    JPMS_OPENS.forEach(p -> args.addAll(List.of("--add-opens", p + "=ALL-UNNAMED")));
    args.addAll(List.of(
        "-Dio.netty.tryReflectionSetAccessible=true",
        "-Dio.netty.allocator.useCacheForAllThreads=true",
        "-Dio.netty.allocator.maxOrder=11",
        "-Dcassandra.config=" + dataDir.resolve("cassandra.yaml").toUri(),
        "-Dlogback.configurationFile=" + dataDir.resolve("logback.xml"),
        "-Dcassandra.storagedir=" + dataDir,
        "-Dcassandra.triggers_dir=" + dataDir.resolve("triggers"),
        // Keeps stdout open (the daemon closes it otherwise) so its log reaches cassandra.log.
        "-Dcassandra-foreground=yes",
        // A single node has nobody to announce its shutdown to; the default 2 s wait only slows every stop.
        "-Dcassandra.shutdown_announce_in_ms=0"));
    // Extra options for this local node, e.g. a flight recording while a benchmark runs.
    String extra = System.getenv().getOrDefault(EXTRA_OPTS_ENV, "").trim();
    if (!extra.isEmpty()) {
      args.addAll(List.of(extra.split("\\s+")));
    }
    return args;
  }

  private void writeConfig() {
    String yaml = String.join("\n",
        "# Written by " + CassandraLauncher.class.getName() + " at every start; edits are overwritten.",
        "cluster_name: tidewatch-dev",
        "num_tokens: 1",
        "initial_token: 0",
        "partitioner: org.apache.cassandra.dht.Murmur3Partitioner",
        "endpoint_snitch: SimpleSnitch",
        "commitlog_sync: periodic",
        "commitlog_sync_period: 10000ms",
        "data_file_directories: [" + dataDir.resolve("data") + "]",
        "commitlog_directory: " + dataDir.resolve("commitlog"),
        "saved_caches_directory: " + dataDir.resolve("saved_caches"),
        "hints_directory: " + dataDir.resolve("hints"),
        "cdc_raw_directory: " + dataDir.resolve("cdc_raw"),
        "listen_address: 127.0.0.1",
        "rpc_address: 127.0.0.1",
        "storage_port: " + storagePort,
        "native_transport_port: " + nativePort,
        "start_native_transport: true",
        "seed_provider:",
        "  - class_name: org.apache.cassandra.locator.SimpleSeedProvider",
        "    parameters:",
        "      - seeds: \"127.0.0.1:" + storagePort + "\"",
        "");
    // Console output is redirected to cassandra.log; without a config logback 1.5 logs at DEBUG.
    String logback = String.join("\n",
        "<configuration>",
        "  <appender name=\"STDOUT\" class=\"ch.qos.logback.core.ConsoleAppender\">",
        "    <encoder><pattern>%-5level [%thread] %date{ISO8601} %F:%L - %msg%n</pattern></encoder>",
        "  </appender>",
        "  <root level=\"INFO\"><appender-ref ref=\"STDOUT\"/></root>",
        "</configuration>",
        "");
    try {
      Files.createDirectories(dataDir.resolve("triggers"));
      Files.writeString(dataDir.resolve("cassandra.yaml"), yaml, StandardCharsets.UTF_8);
      Files.writeString(dataDir.resolve("logback.xml"), logback, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write Cassandra config under " + dataDir, e);
    }
  }

  /** A started node; {@link #close()} stops it gracefully (the node drains its memtables to disk). */
  public static final class Running implements AutoCloseable {

    private final ChildJvm node;
    private final int nativePort;

    private Running(ChildJvm node, int nativePort) {
      this.node = node;
      this.nativePort = nativePort;
    }

    /** {@code 127.0.0.1:PORT}, for the driver's contact points. */
    public String contactPoint() {
      return "127.0.0.1:" + nativePort;
    }

    /** The node's data center, required by the driver once contact points are set. */
    public String localDatacenter() {
      return LOCAL_DATACENTER;
    }

    /** Process id of the node's JVM. */
    public long pid() {
      return node.pid();
    }

    /** A new driver session to this node for scripts and checks (no schema metadata); the caller closes it. */
    public CqlSession newSession() {
      DriverConfigLoader config = DriverConfigLoader.programmaticBuilder()
          .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, REQUEST_TIMEOUT)
          .withDuration(DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, Duration.ofSeconds(5))
          .withDuration(DefaultDriverOption.CONTROL_CONNECTION_AGREEMENT_TIMEOUT, REQUEST_TIMEOUT)
          // Every DDL statement would otherwise wait for a debounced (1 s) refresh of the driver's schema model.
          .withBoolean(DefaultDriverOption.METADATA_SCHEMA_ENABLED, false)
          // Netty's default 2 s quiet period would make every short-lived session take 2 s to close.
          .withInt(DefaultDriverOption.NETTY_IO_SHUTDOWN_QUIET_PERIOD, 0)
          .withInt(DefaultDriverOption.NETTY_ADMIN_SHUTDOWN_QUIET_PERIOD, 0)
          .build();
      return CqlSession.builder()
          .addContactPoint(new InetSocketAddress(ChildJvm.LOOPBACK, nativePort))
          .withLocalDatacenter(LOCAL_DATACENTER)
          .withConfigLoader(config)
          .build();
    }

    /** Runs {@value #SCHEMA_RESOURCE} statement by statement; safe to repeat. */
    public void applySchema() {
      List<String> statements = CqlScript.fromResource(SCHEMA_RESOURCE);
      long start = System.nanoTime();
      try (CqlSession session = newSession()) {
        statements.forEach(session::execute);
      }
      log.info("Applied {} CQL statements from {} in {} ms", statements.size(), SCHEMA_RESOURCE,
          Duration.ofNanos(System.nanoTime() - start).toMillis());
    }

    /** Stops the node (SIGTERM; its drain hook flushes to disk first). */
    @Override
    public void close() {
      node.stop();
    }

    /** If this JVM shuts down, stop only after {@code gate} completes (bounded), e.g. once the node has drained. */
    public void stopOnShutdownAfter(CompletionStage<?> gate) {
      node.stopOnShutdownAfter(gate);
    }

    private boolean answers() {
      try (CqlSession session = newSession()) {
        return session.execute("SELECT release_version FROM system.local").one() != null;
      }
    }
  }
}
