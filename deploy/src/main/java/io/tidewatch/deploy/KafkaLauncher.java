package io.tidewatch.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a single-node Kafka 4.3.1 (KRaft, combined broker and controller) on 127.0.0.1 as a child JVM, with its
 * data under one directory: {@code data/} for the logs, {@code server.properties} rewritten at each start,
 * {@code cluster.id} kept forever, {@code kafka.log} for its output. Storage is formatted only on first start, so
 * a restart on the same directory keeps every topic and record.
 */
public final class KafkaLauncher {

  private static final Logger log = LoggerFactory.getLogger(KafkaLauncher.class);
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration FORMAT_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

  private final Path dataDir;
  private final int brokerPort;
  private final int controllerPort;
  private final String heap;

  public KafkaLauncher(Path dataDir, int brokerPort, int controllerPort) {
    this(dataDir, brokerPort, controllerPort, "512m");
  }

  private KafkaLauncher(Path dataDir, int brokerPort, int controllerPort, String heap) {
    this.dataDir = dataDir.toAbsolutePath();
    this.brokerPort = brokerPort;
    this.controllerPort = controllerPort;
    this.heap = heap;
  }

  /** The same broker with a different maximum heap, e.g. {@code "1g"}. */
  public KafkaLauncher withHeap(String maxHeap) {
    return new KafkaLauncher(dataDir, brokerPort, controllerPort, maxHeap);
  }

  /** Starts the broker and returns once it answers an admin request. */
  public Running start() {
    ChildJvm.requireFreePort(brokerPort, "Kafka broker");
    ChildJvm.requireFreePort(controllerPort, "Kafka controller");
    Path lib = RuntimeLocator.kafkaLib();
    Path config = writeServerProperties();
    formatStorageOnce(lib, config);

    long start = System.nanoTime();
    ChildJvm broker = ChildJvm.start("kafka", JavaRuntimes.current(), List.of("-Xmx" + heap), lib,
        "kafka.Kafka", List.of(config.toString()), logFile());
    Running running = new Running(broker, "127.0.0.1:" + brokerPort);
    try {
      broker.awaitReady(READY_TIMEOUT, () -> ChildJvm.acceptsConnections(brokerPort) && running.answers());
    } catch (RuntimeException e) {
      broker.stop();
      throw e;
    }
    log.info("Kafka ready on {} in {} ms (data {})", running.bootstrapServers(),
        Duration.ofNanos(System.nanoTime() - start).toMillis(), dataDir);
    return running;
  }

  private Path logFile() {
    return dataDir.resolve("kafka.log");
  }

  private Path writeServerProperties() {
    String listeners = "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort;
    String properties = String.join("\n",
        "# Written by " + KafkaLauncher.class.getName() + " at every start; edits are overwritten.",
        "process.roles=broker,controller",
        "node.id=1",
        "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
        "listeners=" + listeners,
        "advertised.listeners=PLAINTEXT://127.0.0.1:" + brokerPort,
        "controller.listener.names=CONTROLLER",
        "inter.broker.listener.name=PLAINTEXT",
        "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        "log.dirs=" + dataDir.resolve("data"),
        "num.partitions=1",
        "offsets.topic.replication.factor=1",
        "offsets.topic.num.partitions=1",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "share.coordinator.state.topic.replication.factor=1",
        "share.coordinator.state.topic.min.isr=1",
        "group.initial.rebalance.delay.ms=0",
        "");
    try {
      Files.createDirectories(dataDir);
      Path file = dataDir.resolve("server.properties");
      Files.writeString(file, properties, StandardCharsets.UTF_8);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write Kafka config under " + dataDir, e);
    }
  }

  /** Formats on first start only: re-formatting refuses a formatted dir, and a new cluster id would orphan data. */
  private void formatStorageOnce(Path lib, Path config) {
    if (Files.exists(dataDir.resolve("data").resolve("meta.properties"))) {
      return;
    }
    String clusterId = clusterId();
    long start = System.nanoTime();
    ChildJvm format = ChildJvm.start("kafka-storage-format", JavaRuntimes.current(), List.of("-Xmx256m"), lib,
        "kafka.tools.StorageTool", List.of("format", "-t", clusterId, "-c", config.toString()), logFile());
    format.awaitSuccess(FORMAT_TIMEOUT);
    log.info("Formatted Kafka storage {} (cluster id {}) in {} ms", dataDir.resolve("data"), clusterId,
        Duration.ofNanos(System.nanoTime() - start).toMillis());
  }

  private String clusterId() {
    Path file = dataDir.resolve("cluster.id");
    try {
      if (Files.exists(file)) {
        return Files.readString(file, StandardCharsets.UTF_8).trim();
      }
      String id = Uuid.randomUuid().toString();
      Files.writeString(file, id + "\n", StandardCharsets.UTF_8);
      return id;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read or write the Kafka cluster id " + file, e);
    }
  }

  /** A started broker; {@link #close()} stops it gracefully. */
  public static final class Running implements AutoCloseable {

    private final ChildJvm broker;
    private final String bootstrapServers;

    private Running(ChildJvm broker, String bootstrapServers) {
      this.broker = broker;
      this.bootstrapServers = bootstrapServers;
    }

    /** {@code 127.0.0.1:PORT}, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
      return bootstrapServers;
    }

    /** Process id of the broker JVM. */
    public long pid() {
      return broker.pid();
    }

    /**
     * Creates the topics that do not exist yet (replication factor 1); existing ones are left as they are. Returns
     * once every partition has a leader: producing to a partition before that could leave an idempotent producer
     * retrying OUT_OF_ORDER_SEQUENCE_NUMBER (seen here right after creation).
     */
    public void createTopics(Map<String, Integer> partitionsByTopic) {
      List<NewTopic> topics = partitionsByTopic.entrySet().stream()
          .map(e -> new NewTopic(e.getKey(), e.getValue(), (short) 1))
          .toList();
      try (Admin admin = admin()) {
        CreateTopicsResult result = admin.createTopics(topics);
        for (var entry : result.values().entrySet()) {
          try {
            entry.getValue().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            log.info("Created topic {} with {} partitions", entry.getKey(), partitionsByTopic.get(entry.getKey()));
          } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
              throw new LaunchException("Could not create topic " + entry.getKey() + " on " + bootstrapServers + ": "
                  + e.getCause().getMessage(), e.getCause());
            }
          }
        }
        broker.awaitReady(ADMIN_TIMEOUT, () -> allPartitionsLed(admin, partitionsByTopic.keySet()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new LaunchException("Interrupted while creating topics", e);
      } catch (TimeoutException e) {
        throw new LaunchException("Kafka on " + bootstrapServers + " did not create topics within "
            + ADMIN_TIMEOUT.toSeconds() + " s", e);
      }
    }

    /**
     * True once every partition's leader serves it: the controller may report a leader before the broker has
     * taken the partition over, so the check asks the leaders themselves (a list-offsets request).
     */
    private static boolean allPartitionsLed(Admin admin, java.util.Collection<String> topics) throws Exception {
      var descriptions = admin.describeTopics(topics).allTopicNames().get(5, TimeUnit.SECONDS).values();
      Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> partitions =
          new java.util.HashMap<>();
      for (var description : descriptions) {
        for (var partition : description.partitions()) {
          if (partition.leader() == null || partition.leader().isEmpty()) {
            return false;
          }
          partitions.put(
              new org.apache.kafka.common.TopicPartition(description.name(), partition.partition()),
              org.apache.kafka.clients.admin.OffsetSpec.latest());
        }
      }
      admin.listOffsets(partitions).all().get(5, TimeUnit.SECONDS); // fails with NOT_LEADER until they serve
      return true;
    }

    /** Stops the broker (SIGTERM; it exits with code 143 after a clean shutdown). */
    @Override
    public void close() {
      broker.stop();
    }

    /** If this JVM shuts down, stop only after {@code gate} completes (bounded), e.g. once the node has drained. */
    public void stopOnShutdownAfter(CompletionStage<?> gate) {
      broker.stopOnShutdownAfter(gate);
    }

    private boolean answers() throws Exception {
      Admin admin = admin();
      try {
        return !admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty();
      } finally {
        admin.close(Duration.ofSeconds(1));
      }
    }

    private Admin admin() {
      Properties props = new Properties();
      props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
      props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT.toMillis());
      props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
      return Admin.create(props);
    }
  }
}
