package io.tidewatch.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidewatch.deploy.FreePorts;
import io.tidewatch.deploy.InfluxLauncher;
import io.tidewatch.deploy.LocalInfra;
import io.tidewatch.node.export.InfluxExport;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.japi.function.Creator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The aggregates topic into a real InfluxDB 1.x (Debian's influxd) on real Kafka and Cassandra: a node closes windows,
 * {@code tidewatch export influxdb}'s stream writes one point per window and metric with the API's own values; the
 * same records published again leave the point count unchanged (duplicates collapse), and a record that is not an
 * aggregates record goes to the dead letters with the reason.
 */
class InfluxExportIT {

  private static final long T0 = 1_700_000_040_000L; // a minute boundary
  private static final Duration PATIENCE = Duration.ofSeconds(90);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TOKEN = "influx-it-reader-token";
  private static final String AGGREGATES = "tidewatch.aggregates";
  private static final String DEAD_LETTERS = "tidewatch.dead-letters";
  private static final String GROUP = "influx-it-export";
  private static final String NODE_GROUP = "tidewatch-ingest";

  private static LocalInfra infra;
  private static InfluxLauncher.Running influx;
  private static ActorSystem<Void> node;
  private static int httpPort;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    Path dir = Files.createTempDirectory("tidewatch-influx-it");
    infra = LocalInfra.start(dir.resolve("brokers"), LocalInfra.Ports.free(), LocalInfra.DEFAULT_TOPICS);
    influx = new InfluxLauncher(dir.resolve("influxdb"), FreePorts.next(), FreePorts.next()).start();
    httpPort = FreePorts.next();
    node = TestNodes.start(infra, Map.of(
        "tidewatch.http.port", httpPort,
        "tidewatch.http.tokens", TOKEN + "=reader",
        "pekko.management.http.port", FreePorts.next()));
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.terminate();
      node.getWhenTerminated().toCompletableFuture().join();
    }
    if (influx != null) {
      influx.close();
    }
    if (infra != null) {
      infra.close();
    }
  }

  @Test
  void writesEveryWindowOnceWithTheApisValuesCollapsesRepeatsAndDeadLettersWhatIsNotAWindow() throws Exception {
    List<String> readings = new ArrayList<>();
    for (int s = 0; s < 3; s++) {
      for (int i = 0; i <= 130; i++) { // one a second: minutes 0 and 1 close, minute 2 stays open
        readings.add(String.format(Locale.ROOT,
            "{\"entityType\":\"sensor\",\"entityId\":\"influx-%d\",\"ts\":%d,\"metrics\":{\"temperature\":%.1f}}",
            s, T0 + i * 1_000L, 20 + s + (i % 7) * 0.5));
      }
    }
    send("tidewatch.readings", readings.stream().map(r -> new ProducerRecord<>("tidewatch.readings", "k", r)).toList());
    // The ingest commits a batch only once its windows are on the aggregates topic: then they are all there.
    eventually(() -> {
      assertEquals(readings.size(), committed(NODE_GROUP));
      return null;
    });
    long windows = endOffsets(AGGREGATES);
    assertEquals(3 * (2 + 2), windows, "per sensor: tumbling minutes 0 and 1; sliding 5 m windows ending at 1 and 2");

    InfluxExport export = new InfluxExport(node, new InfluxExport.Settings(infra.kafkaBootstrapServers(), AGGREGATES,
        GROUP, DEAD_LETTERS, influx.url(), "tidewatch_it", 1_000, Duration.ofMillis(200)));
    export.run();

    eventually(() -> {
      assertEquals(windows, pointCount());
      return null;
    });
    JsonNode api = get("/api/v1/entities/sensor/influx-1/windows?spec=tumbling-60s&metric=temperature");
    JsonNode points = query("SELECT \"mean\", \"count\", \"max\" FROM tidewatch_window WHERE \"entityId\" = 'influx-1'"
        + " AND \"spec\" = 'tumbling-60s' AND \"metric\" = 'temperature' ORDER BY time DESC");
    JsonNode values = points.path("results").path(0).path("series").path(0).path("values");
    assertEquals(api.get("items").size(), values.size(), points.toString());
    for (int i = 0; i < values.size(); i++) {
      JsonNode w = api.get("items").get(i);
      assertEquals(w.get("start").asLong(), Instant.parse(values.get(i).get(0).asText()).toEpochMilli());
      assertEquals(w.get("mean").asDouble(), values.get(i).get(1).asDouble(), 1e-9);
      assertEquals(w.get("count").asLong(), values.get(i).get(2).asLong());
      assertEquals(w.get("max").asDouble(), values.get(i).get(3).asDouble(), 1e-9);
    }

    // Every aggregates record again (at least once delivery), and one record that is no window at all.
    List<ProducerRecord<String, String>> again = new ArrayList<>();
    for (ConsumerRecord<String, byte[]> r : readAll(AGGREGATES)) {
      again.add(new ProducerRecord<>(AGGREGATES, r.key(), new String(r.value(), StandardCharsets.UTF_8)));
    }
    again.add(new ProducerRecord<>(AGGREGATES, "influx-0", "{\"entityId\":\"influx-0\"}"));
    send(AGGREGATES, again);
    eventually(() -> {
      assertEquals(endOffsets(AGGREGATES), committed(GROUP), "the export has read everything");
      return null;
    });
    assertEquals(windows, pointCount(), "repeated windows overwrite their own points");
    List<String> reasons = new ArrayList<>();
    for (ConsumerRecord<String, byte[]> r : readAll(DEAD_LETTERS)) {
      var header = r.headers().lastHeader("tidewatch-error");
      reasons.add(header == null ? "" : new String(header.value(), StandardCharsets.UTF_8));
    }
    assertEquals(List.of("not an aggregates record: an aggregates record needs a non-empty text 'entityType'"), reasons);
  }

  private long pointCount() throws Exception {
    JsonNode series = query("SELECT count(\"count\") FROM tidewatch_window").path("results").path(0).path("series");
    return series.isEmpty() ? 0 : series.path(0).path("values").path(0).path(1).asLong();
  }

  private JsonNode query(String influxQl) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(influx.url() + "/query?db=tidewatch_it&q="
        + URLEncoder.encode(influxQl, StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), response.body());
    return JSON.readTree(response.body());
  }

  private JsonNode get(String path) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
        .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), response.body());
    return JSON.readTree(response.body());
  }

  private static void send(String topic, List<ProducerRecord<String, String>> records) throws Exception {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrapServers());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    try (var producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
      for (var record : records) {
        producer.send(record).get();
      }
    }
  }

  private static List<ConsumerRecord<String, byte[]>> readAll(String topic) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrapServers());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "influx-it-reader-" + UUID.randomUUID());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    long end = endOffsets(topic);
    List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
    try (var consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + PATIENCE.toNanos();
      while (out.size() < end && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(500)).forEach(out::add);
      }
    }
    assertEquals(end, out.size(), "read all of " + topic);
    return out;
  }

  private static long endOffsets(String topic) {
    try (Admin admin = admin()) {
      var partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions();
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      partitions.forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
      return admin.listOffsets(latest).all().get().values().stream().mapToLong(o -> o.offset()).sum();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static long committed(String group) {
    try (Admin admin = admin()) {
      return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().values().stream()
          .mapToLong(o -> o == null ? 0 : o.offset()).sum();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static Admin admin() {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrapServers()));
  }

  private static <T> T eventually(Creator<T> check) {
    return TestProbe.create(node).awaitAssert(PATIENCE, Duration.ofMillis(250), check);
  }
}
