package io.tidewatch.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidewatch.deploy.FreePorts;
import io.tidewatch.deploy.LocalInfra;
import io.tidewatch.node.cluster.NodeProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Real brokers and a cluster of node JVMs for the fault tests: starts them, feeds sensors a known series of
 * readings, waits until the consumer group has committed them, and checks every sensor's exact result.
 *
 * <p>Each sensor gets readings one second apart from a minute boundary on, so with 100 of them the first minute has
 * closed with exactly 60 and the second is open with the other 40 — whatever batching, redelivery or failover
 * happened on the way.
 *
 * <p>{@code -Dit.askTimeout=1500ms} (and a smaller {@code -Dit.batch}) runs the same tests with many more ask
 * timeouts, stream restarts and redeliveries: the harder setting that found a reading-order bug.
 */
final class TestCluster implements AutoCloseable {

  static final Duration PATIENCE = Duration.ofMinutes(4);
  private static final long T0 = 1_700_000_040_000L; // a minute boundary
  private static final String READINGS = "tidewatch.readings";
  private static final String GROUP = "tidewatch-fault-it";
  private static final String TOKEN = "fault-it-reader-token";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;
  private final LocalInfra infra;
  private final Map<String, String> env;
  private final List<NodeProcess.Ports> ports;
  private final List<NodeProcess> nodes = new ArrayList<>();
  private final KafkaProducer<String, String> producer;
  private final Admin admin;
  private final HttpClient http = HttpClient.newHttpClient();

  private TestCluster(Path dir, LocalInfra infra, int size) {
    this.dir = dir;
    this.infra = infra;
    this.ports = IntStream.range(0, size)
        .mapToObj(i -> new NodeProcess.Ports(FreePorts.next(), FreePorts.next(), FreePorts.next()))
        .toList();
    // Every node is a seed: a restarted first seed then joins the others instead of forming a cluster of its own.
    this.env = Map.of(
        "TIDEWATCH_INGEST_ASK_TIMEOUT", System.getProperty("it.askTimeout", "30s"),
        "TIDEWATCH_KAFKA_BOOTSTRAP", infra.kafkaBootstrapServers(),
        "TIDEWATCH_CASSANDRA_CONTACT_POINTS", infra.cassandraContactPoint(),
        "TIDEWATCH_SEED_NODES", ports.stream().map(NodeProcess.Ports::address).collect(Collectors.joining(",")),
        "TIDEWATCH_INGEST_GROUP", GROUP,
        "TIDEWATCH_INGEST_BATCH_SIZE", System.getProperty("it.batch", "2000"),
        "TIDEWATCH_TOKENS", TOKEN + "=reader+auditor");
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrapServers());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    this.producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    this.admin = Admin.create(Map.of("bootstrap.servers", infra.kafkaBootstrapServers()));
  }

  /** Brokers on free ports, then {@code size} nodes, all ready. */
  static TestCluster start(String name, int size) throws Exception {
    Path dir = Files.createTempDirectory("tidewatch-" + name);
    TestCluster cluster = new TestCluster(dir, LocalInfra.start(dir, LocalInfra.Ports.free(), LocalInfra.DEFAULT_TOPICS), size);
    for (int i = 0; i < size; i++) {
      cluster.nodes.add(cluster.launch(i));
    }
    cluster.nodes.forEach(node -> node.awaitReady(PATIENCE));
    return cluster;
  }

  private NodeProcess launch(int i) {
    Path home = Path.of("..").toAbsolutePath().normalize();
    return NodeProcess.start(home, "node-" + i, ports.get(i), env, List.of("-Xmx768m"), dir.resolve("node-" + i + ".log"));
  }

  LocalInfra infra() {
    return infra;
  }

  NodeProcess node(int i) {
    return nodes.get(i);
  }

  List<NodeProcess> nodes() {
    return List.copyOf(nodes);
  }

  /** SIGTERM (the node drains, hands over and leaves), then the same node again on the same ports, until ready. */
  void restart(int i) {
    nodes.get(i).stop().join();
    nodes.set(i, launch(i));
    nodes.get(i).awaitReady(PATIENCE);
  }

  static String sensorId(String prefix, int s) {
    return String.format(Locale.ROOT, "%s-%05d", prefix, s);
  }

  /** Sends reading {@code i} of every sensor {@code prefix-00000...}; returns once the broker has them all. */
  void produceRound(String prefix, int sensors, int i) throws Exception {
    List<Future<?>> sends = new ArrayList<>(sensors);
    for (int s = 0; s < sensors; s++) {
      String id = sensorId(prefix, s);
      String json = String.format(Locale.ROOT,
          "{\"entityType\":\"sensor\",\"entityId\":\"%s\",\"ts\":%d,\"metrics\":{\"temperature\":%.1f}}",
          id, T0 + i * 1_000L, 20.0 + (i % 10) * 0.1);
      sends.add(producer.send(new ProducerRecord<>(READINGS, id, json)));
    }
    for (Future<?> send : sends) {
      send.get();
    }
  }

  /** The whole series of every sensor at once: a backlog. */
  private void produce(String prefix, int sensors, int perSensor) throws Exception {
    for (int i = 0; i < perSensor; i++) {
      produceRound(prefix, sensors, i);
    }
  }

  /**
   * Sends the whole series of every sensor as a backlog and waits until the nodes have committed {@code part} of
   * it: the moment a fault strikes "mid-ingest". Returns the topic's end offset, which they must finally commit.
   */
  long produceAndAwaitPart(String prefix, int sensors, int perSensor, double part) throws Exception {
    long before = committed();
    produce(prefix, sensors, perSensor);
    long end = endOffsets();
    awaitCommitted(before + (long) ((end - before) * part));
    return end;
  }

  /** Records in the readings topic so far, over all partitions. */
  long endOffsets() throws Exception {
    return admin.listOffsets(admin.describeTopics(List.of(READINGS)).allTopicNames().get().get(READINGS).partitions()
            .stream()
            .collect(Collectors.toMap(p -> new TopicPartition(READINGS, p.partition()), p -> OffsetSpec.latest())))
        .all().get().values().stream().mapToLong(o -> o.offset()).sum();
  }

  /** Offsets the nodes' consumer group has committed, over all partitions. */
  long committed() throws Exception {
    return committedByPartition().values().stream().mapToLong(Long::longValue).sum();
  }

  /** Offsets the nodes' consumer group has committed, per partition of the readings topic. */
  Map<Integer, Long> committedByPartition() throws Exception {
    return admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get().entrySet().stream()
        .filter(e -> e.getKey().topic().equals(READINGS) && e.getValue() != null)
        .collect(Collectors.toMap(e -> e.getKey().partition(), e -> e.getValue().offset()));
  }

  /**
   * The readings records (partition → offsets) that the sensors' journals hold in events written before
   * {@code epochMillis}, read from {@code node}'s journal API.
   */
  Map<Integer, Set<Long>> journaledBefore(NodeProcess node, String prefix, int sensors, long epochMillis)
      throws Exception {
    Map<Integer, Set<Long>> offsets = new HashMap<>();
    for (int s = 0; s < sensors; s++) {
      for (String line : journal(node, sensorId(prefix, s)).split("\n")) {
        if (line.isBlank()) {
          continue;
        }
        JsonNode entry = JSON.readTree(line);
        if (entry.get("timestamp").asLong() < epochMillis && entry.get("event").has("readings")) {
          for (JsonNode reading : entry.get("event").get("readings")) {
            offsets.computeIfAbsent(reading.get("partition").asInt(), p -> new HashSet<>())
                .add(reading.get("offset").asLong());
          }
        }
      }
    }
    return offsets;
  }

  void awaitCommitted(long atLeast) throws Exception {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    long committed = 0;
    while (System.nanoTime() < deadline) {
      committed = committed();
      if (committed >= atLeast) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("only " + committed + " of " + atLeast + " offsets committed within " + PATIENCE);
  }

  /**
   * Asserts every sensor's result on each of {@code from}: all readings counted once, none late, the first minute
   * closed with 60, the rest open. On a mismatch the first wrong sensor's journal and the node logs are kept under
   * target/ and summarised in the failure.
   */
  void assertExact(String prefix, int sensors, int perSensor, List<NodeProcess> from) throws Exception {
    String expected =
        String.format(Locale.ROOT, "readings=%d late=0 firstMinute=60 secondMinute=%d", perSensor, perSensor - 60);
    List<String> wrong = new ArrayList<>();
    for (NodeProcess node : from) {
      for (int s = 0; s < sensors; s++) {
        JsonNode state = state(node, sensorId(prefix, s));
        String got = String.format(Locale.ROOT, "readings=%d late=%d firstMinute=%d secondMinute=%d",
            state.get("readings").asLong(),
            state.get("lateReadings").asLong(),
            tumbling(state.get("recentWindows")),
            tumbling(state.get("openWindows")));
        if (!got.equals(expected)) {
          wrong.add(sensorId(prefix, s) + " on " + node.name() + ": " + got);
        }
      }
    }
    if (!wrong.isEmpty()) {
      String first = wrong.get(0).substring(0, wrong.get(0).indexOf(' '));
      String journal = journal(from.get(0), first);
      Path out = Path.of("target", "fault-its", prefix);
      Files.createDirectories(out);
      Files.writeString(out.resolve(first + ".journal.ndjson"), journal);
      for (NodeProcess node : nodes) {
        Files.copy(node.log(), out.resolve(node.name() + ".log"), StandardCopyOption.REPLACE_EXISTING);
      }
      throw new AssertionError(wrong.size() + " wrong results (expected " + expected + "), first: "
          + wrong.subList(0, Math.min(10, wrong.size())) + "\njournal of " + first + " (kept with the node logs under "
          + out.toAbsolutePath() + "):\n" + summary(journal));
    }
  }

  /** The count of the tumbling-60s window in a list of window views (-1 if there is none). */
  private static long tumbling(JsonNode windows) {
    for (JsonNode w : windows) {
      if (w.get("spec").asText().equals("tumbling-60s")) {
        return w.get("count").asLong();
      }
    }
    return -1;
  }

  /** A sensor's state from {@code node}, retried while the cluster moves shards (503) for up to PATIENCE. */
  JsonNode state(NodeProcess node, String id) throws Exception {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (true) {
      HttpResponse<String> response = get(node, "/api/v1/entities/sensor/" + id);
      if (response.statusCode() == 200) {
        return JSON.readTree(response.body());
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(id + " did not answer from " + node.name() + ": " + response.body());
      }
      Thread.sleep(500);
    }
  }

  private String journal(NodeProcess node, String id) throws Exception {
    return get(node, "/api/v1/entities/sensor/" + id + "/journal").body();
  }

  private HttpResponse<String> get(NodeProcess node, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.ports().http() + path))
            .header("Authorization", "Bearer " + TOKEN)
            .timeout(Duration.ofSeconds(30))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** One line per journal entry (row.part): enough to see where a count went wrong. */
  private static String summary(String journal) throws Exception {
    StringBuilder out = new StringBuilder();
    for (String line : journal.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode entry = JSON.readTree(line);
      JsonNode event = entry.get("event");
      out.append(entry.get("seqNr").asLong()).append(entry.has("part") ? "." + entry.get("part").asInt() : "")
          .append(' ').append(entry.get("timestamp").asText()).append(' ')
          .append(entry.get("type").asText());
      if (event.has("readings")) {
        JsonNode readings = event.get("readings");
        JsonNode first = readings.get(0);
        JsonNode last = readings.get(readings.size() - 1);
        out.append(String.format(Locale.ROOT, " n=%d partition=%d offsets=%d..%d ts=+%ds..+%ds",
            readings.size(), first.get("partition").asInt(), first.get("offset").asLong(), last.get("offset").asLong(),
            (first.get("ts").asLong() - T0) / 1000, (last.get("ts").asLong() - T0) / 1000));
      } else if (event.has("spec")) {
        out.append(String.format(Locale.ROOT, " %s start=+%ds count=%d",
            event.get("spec").asText(), (event.get("start").asLong() - T0) / 1000, event.get("count").asLong()));
      } else {
        out.append(' ').append(event);
      }
      out.append('\n');
    }
    return out.toString();
  }

  @Override
  public void close() {
    nodes.forEach(NodeProcess::close);
    producer.close();
    admin.close();
    infra.close();
  }
}
