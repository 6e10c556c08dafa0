package io.tidewatch.deploy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local Kafka broker and Cassandra node of the demo and the integration tests, started together and ready for
 * Tidewatch: topics created, schema applied. Data lives in {@code <dataDir>/kafka} and {@code <dataDir>/cassandra},
 * so starting again on the same directory keeps every record and row.
 */
public final class LocalInfra implements AutoCloseable {

  /** Tidewatch's topics and their partition counts. */
  public static final Map<String, Integer> DEFAULT_TOPICS = defaultTopics();

  private static final Logger log = LoggerFactory.getLogger(LocalInfra.class);

  private final Path dataDir;
  private final Ports ports;
  private volatile KafkaLauncher.Running kafka;
  private final CassandraLauncher.Running cassandra;

  private LocalInfra(Path dataDir, Ports ports, KafkaLauncher.Running kafka, CassandraLauncher.Running cassandra) {
    this.dataDir = dataDir;
    this.ports = ports;
    this.kafka = kafka;
    this.cassandra = cassandra;
  }

  /** The four ports on 127.0.0.1 the brokers listen on. */
  public record Ports(int kafka, int kafkaController, int cassandra, int cassandraStorage) {

    /** The fixed ports of {@code bin/tidewatch demo} and {@code infra} (DESIGN §5). */
    public static Ports demo() {
      return new Ports(19092, 19093, 19042, 17000);
    }

    /** Four distinct ports that are free right now, for tests that must not clash with a running demo. */
    public static Ports free() {
      return new Ports(FreePorts.next(), FreePorts.next(), FreePorts.next(), FreePorts.next());
    }
  }

  /** Starts both with {@link #DEFAULT_TOPICS}. */
  public static LocalInfra start(Path dataDir, Ports ports) {
    return start(dataDir, ports, DEFAULT_TOPICS);
  }

  /**
   * Starts Kafka and Cassandra in parallel, creates {@code topics} (name to partitions, existing ones kept) and
   * applies the schema. If either fails, the other is stopped again and the failure is thrown.
   */
  public static LocalInfra start(Path dataDir, Ports ports, Map<String, Integer> topics) {
    long start = System.nanoTime();
    Path root = dataDir.toAbsolutePath();
    var cassandraStart = inOwnThread("cassandra-start", () -> {
      var node = new CassandraLauncher(root.resolve("cassandra"), ports.cassandra(), ports.cassandraStorage()).start();
      try {
        node.applySchema();
      } catch (RuntimeException e) {
        node.close();
        throw e;
      }
      return node;
    });
    var kafkaStart = inOwnThread("kafka-start", () -> {
      var broker = kafkaLauncher(root, ports).start();
      try {
        broker.createTopics(topics);
      } catch (RuntimeException e) {
        broker.close();
        throw e;
      }
      return broker;
    });
    RuntimeException failure = null;
    KafkaLauncher.Running kafka = null;
    CassandraLauncher.Running cassandra = null;
    try {
      kafka = kafkaStart.join();
    } catch (CompletionException e) {
      failure = unwrap(e);
    }
    try {
      cassandra = cassandraStart.join();
    } catch (CompletionException e) {
      failure = addFailure(failure, unwrap(e));
    }
    if (failure != null) {
      stopBoth(kafka, cassandra);
      throw failure;
    }
    log.info("Local infrastructure ready in {} ms: Kafka {}, Cassandra {}, data {}",
        Duration.ofNanos(System.nanoTime() - start).toMillis(), kafka.bootstrapServers(), cassandra.contactPoint(),
        root);
    return new LocalInfra(root, ports, kafka, cassandra);
  }

  private static KafkaLauncher kafkaLauncher(Path root, Ports ports) {
    return new KafkaLauncher(root.resolve("kafka"), ports.kafka(), ports.kafkaController());
  }

  /**
   * Stops the broker gracefully and starts it again on the same ports and data: clients see an outage, no data is
   * lost (a broker restart, as in an upgrade).
   */
  public synchronized void restartKafka() {
    kafka.close();
    kafka = kafkaLauncher(dataDir, ports).start();
  }

  public String kafkaBootstrapServers() {
    return kafka.bootstrapServers();
  }

  public String cassandraContactPoint() {
    return cassandra.contactPoint();
  }

  public String cassandraLocalDatacenter() {
    return cassandra.localDatacenter();
  }

  public KafkaLauncher.Running kafka() {
    return kafka;
  }

  public CassandraLauncher.Running cassandra() {
    return cassandra;
  }

  /**
   * On shutdown of this JVM (Ctrl-C), keep both brokers up until {@code gate} completes (at most 30 s), so that a
   * node in this JVM drains and commits while they still answer.
   */
  public void stopOnShutdownAfter(CompletionStage<?> gate) {
    kafka.stopOnShutdownAfter(gate);
    cassandra.stopOnShutdownAfter(gate);
  }

  /** Stops both brokers gracefully, in parallel. */
  @Override
  public void close() {
    long start = System.nanoTime();
    stopBoth(kafka, cassandra);
    log.info("Local infrastructure stopped in {} ms", Duration.ofNanos(System.nanoTime() - start).toMillis());
  }

  private static void stopBoth(AutoCloseable first, AutoCloseable second) {
    List<CompletableFuture<Void>> stops = new ArrayList<>();
    for (AutoCloseable running : new AutoCloseable[] {first, second}) {
      if (running != null) {
        stops.add(inOwnThread("infra-stop", () -> {
          closeQuietly(running);
          return null;
        }));
      }
    }
    stops.forEach(CompletableFuture::join);
  }

  // The common pool has a single thread on a 2-core machine, which would serialise the two starts.
  private static <T> CompletableFuture<T> inOwnThread(String name, Supplier<T> task) {
    CompletableFuture<T> result = new CompletableFuture<>();
    Thread thread = new Thread(() -> {
      try {
        result.complete(task.get());
      } catch (Throwable t) {
        result.completeExceptionally(t);
      }
    }, "tidewatch-" + name);
    thread.start();
    return result;
  }

  private static RuntimeException unwrap(CompletionException e) {
    return e.getCause() instanceof RuntimeException cause ? cause : e;
  }

  private static RuntimeException addFailure(RuntimeException first, RuntimeException next) {
    if (first == null) {
      return next;
    }
    first.addSuppressed(next);
    return first;
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      log.warn("Failed to stop {}: {}", closeable, e.toString());
    }
  }

  private static Map<String, Integer> defaultTopics() {
    Map<String, Integer> topics = new LinkedHashMap<>();
    topics.put("tidewatch.readings", 4);
    topics.put("tidewatch.dead-letters", 1);
    topics.put("tidewatch.aggregates", 4);
    topics.put("tidewatch.alerts", 4);
    topics.put("tidewatch.incidents", 4);
    return Collections.unmodifiableMap(topics);
  }
}
