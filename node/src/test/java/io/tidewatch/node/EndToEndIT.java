package io.tidewatch.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.tidewatch.deploy.FreePorts;
import io.tidewatch.deploy.LocalInfra;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.DoubleSummaryStatistics;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.japi.function.Creator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The thin slice end to end on a real Kafka broker and a real Cassandra node: readings produced to Kafka are
 * counted with the right window aggregates over HTTP, bad records land in dead letters with a reason, offsets
 * are committed for everything, and a new node recovers the same state from Cassandra.
 */
class EndToEndIT {

  private static final String READINGS = "tidewatch.readings";
  private static final String GROUP = "tidewatch-ingest-it";
  private static final long T0 = 1_700_000_040_000L; // a minute boundary
  private static final int SENSORS = 10;
  private static final int PER_SENSOR = 100; // one a second: the first minute closes, the second stays open
  private static final Duration PATIENCE = Duration.ofSeconds(90);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TOKEN = "end-to-end-reader-token";

  private static Path dataDir;
  private static LocalInfra infra;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void startBrokers() throws Exception {
    dataDir = Files.createTempDirectory("tidewatch-e2e");
    infra = LocalInfra.start(dataDir, LocalInfra.Ports.free(), LocalInfra.DEFAULT_TOPICS);
  }

  @AfterAll
  static void stopBrokers() {
    if (infra != null) {
      infra.close();
    }
  }

  private static int freePort() {
    return FreePorts.next();
  }

  private static ActorSystem<Void> startNode(int httpPort) throws Exception {
    return startNode(httpPort, ConfigFactory.empty());
  }

  private static ActorSystem<Void> startNode(int httpPort, Config extra) throws Exception {
    Config overrides =
        extra.withFallback(
            ConfigFactory.parseMap(
                Map.of(
                    "tidewatch.kafka.bootstrap-servers", infra.kafkaBootstrapServers(),
                    "tidewatch.cassandra.contact-points", infra.cassandraContactPoint(),
                    "tidewatch.ingest.group-id", GROUP,
                    "tidewatch.http.port", httpPort,
                    "tidewatch.http.tokens", TOKEN + "=reader",
                    "pekko.management.http.port", freePort(),
                    "pekko.remote.artery.canonical.port", 0)));
    return Node.start(NodeConfig.load(overrides, null));
  }

  private static void stopNode(ActorSystem<Void> system) {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().join();
  }

  private static double value(int sensor, int i) {
    return 20 + sensor + (i % 7) * 0.5;
  }

  private static String sensorId(int sensor) {
    return String.format(Locale.ROOT, "sensor-%05d", sensor);
  }

  private static int produceReadingsAndTwoBadRecords() throws Exception {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrapServers());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    int sent = 0;
    List<java.util.concurrent.Future<?>> sends = new ArrayList<>();
    try (var producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
      for (int i = 0; i < PER_SENSOR; i++) {
        for (int s = 0; s < SENSORS; s++) {
          String json =
              String.format(
                  Locale.ROOT,
                  "{\"entityType\":\"sensor\",\"entityId\":\"%s\",\"ts\":%d,\"metrics\":{\"temperature\":%.2f}}",
                  sensorId(s),
                  T0 + i * 1_000L,
                  value(s, i));
          sends.add(producer.send(new ProducerRecord<>(READINGS, sensorId(s), json)));
          sent++;
        }
        if (i == 50) {
          sends.add(producer.send(new ProducerRecord<>(READINGS, "garbage", "{not json")));
          sends.add(producer.send(
              new ProducerRecord<>(READINGS, sensorId(0), "{\"entityType\":\"sensor\",\"entityId\":\"sensor-00000\"}")));
          sent += 2;
        }
      }
      producer.flush();
    }
    for (var send : sends) {
      send.get();
    }
    return sent;
  }

  /**
   * A crash after entities journaled readings but before their offsets were committed: the first node never
   * commits and is stopped without its drain; the next one gets every record again. Every reading is counted
   * once, the redelivered ones show as duplicates, and every malformed record is in dead letters.
   */
  @Test
  void aCrashBeforeCommittingLosesNothingAndCountsNothingTwice() throws Exception {
    String topic = "tidewatch.readings.crash";
    String deadLetters = "tidewatch.dead-letters.crash";
    infra.kafka().createTopics(Map.of(topic, 4, deadLetters, 1));
    int sensors = 100;
    int perSensor = 99;
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrapServers());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    List<java.util.concurrent.Future<?>> sends = new ArrayList<>();
    try (var producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
      for (int i = 0; i < perSensor; i++) {
        for (int s = 0; s < sensors; s++) {
          String id = String.format(Locale.ROOT, "crash-%03d", s);
          sends.add(producer.send(new ProducerRecord<>(topic, id, String.format(
              Locale.ROOT,
              "{\"entityType\":\"sensor\",\"entityId\":\"%s\",\"ts\":%d,\"metrics\":{\"temperature\":20.0}}",
              id, T0 + i * 1_000L))));
        }
        sends.add(producer.send(new ProducerRecord<>(topic, "bad", "{\"entityType\":\"sensor\",\"ts\":" + i + "}"))); // 1 %
      }
    }
    for (var send : sends) {
      send.get(); // the broker has every record: whatever is missing later, Tidewatch lost
    }
    Config crashTopic =
        ConfigFactory.parseMap(
            Map.of(
                "tidewatch.ingest.topic", topic,
                "tidewatch.ingest.dead-letter-topic", deadLetters,
                "tidewatch.ingest.group-id", "crash-it"));
    Config neverCommits =
        ConfigFactory.parseMap(
                Map.of(
                    "tidewatch.ingest.batch-size", 200,
                    "tidewatch.ingest.parallelism", 1,
                    "tidewatch.kafka-committer.max-batch", 1_000_000,
                    "tidewatch.kafka-committer.max-interval", "1h",
                    "pekko.coordinated-shutdown.run-by-actor-system-terminate", "off"))
            .withFallback(crashTopic);

    int firstPort = freePort();
    ActorSystem<Void> first = startNode(firstPort, neverCommits);
    long seenBeforeCrash =
        eventually(first, () -> {
          long recorded = 0;
          for (int s = 0; s < sensors; s++) {
            JsonNode state = state(firstPort, String.format(Locale.ROOT, "crash-%03d", s));
            recorded += state == null ? 0 : state.get("readings").asLong();
          }
          assertTrue(recorded >= 1_000, "the first node is well into the backlog: " + recorded);
          return recorded;
        });
    stopNode(first); // no drain: as if it had crashed
    // Its stop runs no drain, but should a commit still get out while it terminates, the records below it are not
    // redelivered and cannot come again as duplicates.
    long committedBeforeCrash;
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", infra.kafkaBootstrapServers()))) {
      committedBeforeCrash = committedTotal(admin, "crash-it", topic);
    }

    int secondPort = freePort();
    ActorSystem<Void> second = startNode(secondPort, crashTopic);
    try {
      long records = (long) perSensor * (sensors + 1);
      long duplicates =
          eventually(second, () -> {
            // Every record consumed again and committed: "every reading counted" alone can hold before the
            // redeliveries are through, when the first node had recorded all of a sensor's readings.
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", infra.kafkaBootstrapServers()))) {
              assertEquals(records, committedTotal(admin, "crash-it", topic), "the second node committed every record");
            }
            long dups = 0;
            for (int s = 0; s < sensors; s++) {
              JsonNode state = state(secondPort, String.format(Locale.ROOT, "crash-%03d", s));
              assertTrue(state != null, "crash-" + s + " is known");
              assertEquals(perSensor, state.get("readings").asLong(), "every reading counted once");
              dups += state.get("duplicates").asLong();
            }
            return dups;
          });
      assertTrue(
          duplicates >= seenBeforeCrash - committedBeforeCrash && duplicates <= (long) sensors * perSensor,
          "what the first node had journaled and not committed came again and was acknowledged as duplicates: "
              + duplicates + " of at least " + seenBeforeCrash + " - " + committedBeforeCrash + " committed");
      assertEquals(perSensor, deadLetterSources(deadLetters, perSensor).size(), "every malformed record, with a reason");
    } finally {
      stopNode(second);
    }
  }

  /** The distinct source coordinates in a dead-letter topic (a redelivered bad record may be there twice). */
  private static java.util.Set<String> deadLetterSources(String topic, int expected) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrapServers());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "dead-letter-sources");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    java.util.Set<String> sources = new java.util.HashSet<>();
    try (var consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + PATIENCE.toNanos();
      while (sources.size() < expected && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
          assertTrue(header(record, "tidewatch-error").startsWith("missing entityId"), header(record, "tidewatch-error"));
          sources.add(header(record, "tidewatch-source"));
        }
      }
    }
    return sources;
  }

  private JsonNode state(int httpPort, String id) throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/api/v1/entities/sensor/" + id))
                .header("Authorization", "Bearer " + TOKEN)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
  }

  /** Retries {@code check} until it stops throwing, for at most {@link #PATIENCE}. */
  private static <T> T eventually(ActorSystem<?> node, Creator<T> check) {
    return TestProbe.create(node).awaitAssert(PATIENCE, Duration.ofMillis(250), check);
  }

  private Map<String, JsonNode> allCounted(int httpPort) throws Exception {
    Map<String, JsonNode> states = new HashMap<>();
    for (int s = 0; s < SENSORS; s++) {
      JsonNode state = state(httpPort, sensorId(s));
      assertTrue(state != null, sensorId(s) + " is known");
      assertEquals(PER_SENSOR, state.get("readings").asLong(), sensorId(s) + " counted all its readings");
      states.put(sensorId(s), state);
    }
    return states;
  }

  /** The records of {@code topic} below the committed offsets of {@code group}, over all its partitions. */
  private static long committedTotal(Admin admin, String group, String topic) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> committed =
        admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
    return committed.entrySet().stream()
        .filter(e -> e.getKey().topic().equals(topic) && e.getValue() != null)
        .mapToLong(e -> e.getValue().offset())
        .sum();
  }

  @Test
  void readingsAreCountedWithTheirWindowsAndSurviveARestartOfTheNode() throws Exception {
    int httpPort = freePort();
    ActorSystem<Void> node = startNode(httpPort);
    int produced = produceReadingsAndTwoBadRecords();

    Map<String, JsonNode> states = eventually(node, () -> allCounted(httpPort));
    for (int s = 0; s < SENSORS; s++) {
      JsonNode state = states.get(sensorId(s));
      assertEquals(0, state.get("lateReadings").asLong());
      assertEquals(value(s, PER_SENSOR - 1), state.get("lastValues").get("temperature").asDouble(), 1e-9);
      assertEquals(T0 + (PER_SENSOR - 1) * 1_000L - 5_000, state.get("watermarkMs").asLong());
      List<JsonNode> closed = tumbling(state.get("recentWindows"));
      assertEquals(1, closed.size(), "only the first minute has closed");
      assertWindow(closed.get(0), s, 0, 60);
      List<JsonNode> open = tumbling(state.get("openWindows"));
      assertEquals(1, open.size());
      assertWindow(open.get(0), s, 60, PER_SENSOR);
    }

    try (Admin admin = Admin.create(Map.of("bootstrap.servers", infra.kafkaBootstrapServers()))) {
      long end =
          admin.listOffsets(
                  List.of(0, 1, 2, 3).stream()
                      .collect(Collectors.toMap(p -> new TopicPartition(READINGS, p), p -> OffsetSpec.latest())))
              .all()
              .get()
              .values()
              .stream()
              .mapToLong(o -> o.offset())
              .sum();
      assertEquals(produced, end);
      eventually(node, () -> {
        assertEquals(end, committedTotal(admin, GROUP, READINGS), "committed offsets cover every record, the bad ones included");
        return null;
      });
    }
    assertDeadLetters();
    assertAggregatesPublished();

    JsonNode before = state(httpPort, sensorId(3));
    stopNode(node);
    int newPort = freePort();
    ActorSystem<Void> restarted = startNode(newPort);
    try {
      JsonNode after = eventually(restarted, () -> {
        JsonNode recovered = state(newPort, sensorId(3));
        assertTrue(recovered != null, "the new node answers for " + sensorId(3));
        return recovered;
      });
      assertEquals(before, after, "the new node recovered exactly the same state from Cassandra");
    } finally {
      stopNode(restarted);
    }
  }

  private static List<JsonNode> tumbling(JsonNode windows) {
    List<JsonNode> minutes = new ArrayList<>();
    windows.forEach(w -> {
      if (w.get("spec").asText().equals("tumbling-60s")) {
        minutes.add(w);
      }
    });
    return minutes;
  }

  private static void assertWindow(JsonNode window, int sensor, int from, int to) {
    List<Double> values = new ArrayList<>();
    for (int i = from; i < to; i++) {
      values.add(Double.parseDouble(String.format(Locale.ROOT, "%.2f", value(sensor, i))));
    }
    DoubleSummaryStatistics expected = values.stream().collect(Collectors.summarizingDouble(Double::doubleValue));
    double sum = expected.getSum();
    assertEquals("tumbling-60s", window.get("spec").asText());
    assertEquals(T0 + from * 1_000L, window.get("start").asLong());
    assertEquals(values.size(), window.get("count").asLong());
    assertEquals(sum, window.get("sum").asDouble(), 1e-6);
    assertEquals(sum / values.size(), window.get("mean").asDouble(), 1e-9);
    assertEquals(expected.getMin(), window.get("min").asDouble());
    assertEquals(expected.getMax(), window.get("max").asDouble());
  }

  private static void assertDeadLetters() {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrapServers());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "dead-letter-check");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    try (var consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of("tidewatch.dead-letters"));
      long deadline = System.nanoTime() + PATIENCE.toNanos();
      while (records.size() < 2 && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(500)).forEach(records::add);
      }
    }
    assertEquals(2, records.size());
    // The two bad records sat in different partitions: their dead letters may arrive in either order.
    Map<String, ConsumerRecord<byte[], byte[]>> byValue =
        records.stream().collect(Collectors.toMap(r -> new String(r.value(), StandardCharsets.UTF_8), r -> r));
    String garbageReason = header(byValue.get("{not json"), "tidewatch-error");
    assertTrue(garbageReason.startsWith("invalid JSON"), garbageReason);
    String noTimeReason =
        header(byValue.get("{\"entityType\":\"sensor\",\"entityId\":\"sensor-00000\"}"), "tidewatch-error");
    assertTrue(noTimeReason.startsWith("missing ts"), noTimeReason);
    String source = header(byValue.get("{not json"), "tidewatch-source");
    assertTrue(source.matches(READINGS + "/[0-3]/[0-9]+"), source);
  }

  /**
   * Every closed window reached tidewatch.aggregates (at least once): per sensor the first tumbling minute and the
   * sliding window [T0 - 4 min, T0 + 1 min), for the one metric.
   */
  private static void assertAggregatesPublished() throws Exception {
    java.util.Set<String> expected = new java.util.TreeSet<>();
    for (int s = 0; s < SENSORS; s++) {
      expected.add(sensorId(s) + ":tumbling-60s:" + T0 + ":temperature");
      expected.add(sensorId(s) + ":sliding-5m-1m:" + (T0 - 240_000) + ":temperature");
    }
    java.util.Set<String> seen = new java.util.TreeSet<>();
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrapServers());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "aggregates-check");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    try (var consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of("tidewatch.aggregates"));
      long deadline = System.nanoTime() + PATIENCE.toNanos();
      while (!seen.containsAll(expected) && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
          JsonNode json = JSON.readTree(record.value());
          assertEquals(json.get("entityId").asText(), new String(record.key(), StandardCharsets.UTF_8));
          seen.add(json.get("windowId").asText());
        }
      }
    }
    assertEquals(expected, seen, "consumers dedup by windowId and find exactly the closed windows");
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }
}
