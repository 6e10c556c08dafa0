package io.tidewatch.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Fault 1 of issue 6: three node JVMs ingest 100,000 readings of 1,000 sensors; one is killed with SIGKILL in the
 * middle. The survivors take over its partitions and shards; every sensor ends with exactly its readings and
 * windows — nothing lost, nothing counted twice — and answers from every surviving node.
 */
class NodeCrashIT {

  private static final long T0 = 1_700_000_040_000L; // a minute boundary
  private static final int SENSORS = 1_000;
  private static final int PER_SENSOR = 100; // one a second: the first minute closes, the rest stays open
  private static final String READINGS = "tidewatch.readings";
  private static final String GROUP = "tidewatch-crash-it";
  private static final String TOKEN = "crash-it-reader-token";
  private static final Duration PATIENCE = Duration.ofMinutes(4);
  private static final ObjectMapper JSON = new ObjectMapper();

  private static LocalInfra infra;
  private static final List<NodeProcess> nodes = new ArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    Path dir = Files.createTempDirectory("tidewatch-crash-it");
    infra = LocalInfra.start(dir, LocalInfra.Ports.free(), LocalInfra.DEFAULT_TOPICS);
    List<NodeProcess.Ports> ports = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ports.add(new NodeProcess.Ports(FreePorts.next(), FreePorts.next(), FreePorts.next()));
    }
    Map<String, String> env =
        Map.of(
            "TIDEWATCH_KAFKA_BOOTSTRAP", infra.kafkaBootstrapServers(),
            "TIDEWATCH_CASSANDRA_CONTACT_POINTS", infra.cassandraContactPoint(),
            "TIDEWATCH_SEED_NODES", ports.get(0).address(),
            "TIDEWATCH_INGEST_GROUP", GROUP,
            "TIDEWATCH_INGEST_BATCH_SIZE", "2000",
            "TIDEWATCH_TOKENS", TOKEN + "=reader");
    Path home = Path.of("..").toAbsolutePath().normalize();
    for (int i = 0; i < 3; i++) {
      nodes.add(NodeProcess.start(home, "node-" + i, ports.get(i), env, List.of("-Xmx768m"), dir.resolve("node-" + i + ".log")));
    }
    nodes.forEach(node -> node.awaitReady(PATIENCE));
  }

  @AfterAll
  static void stop() {
    nodes.forEach(NodeProcess::close);
    if (infra != null) {
      infra.close();
    }
  }

  private static String sensorId(int s) {
    return String.format(Locale.ROOT, "sensor-%05d", s);
  }

  @Test
  void aNodeKilledMidIngestLosesNothingAndCountsNothingTwice() throws Exception {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrapServers());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    try (var producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
        Admin admin = Admin.create(Map.of("bootstrap.servers", infra.kafkaBootstrapServers()))) {
      List<Future<?>> sends = new ArrayList<>();
      for (int i = 0; i < PER_SENSOR; i++) {
        for (int s = 0; s < SENSORS; s++) {
          String json = String.format(Locale.ROOT,
              "{\"entityType\":\"sensor\",\"entityId\":\"%s\",\"ts\":%d,\"metrics\":{\"temperature\":%.1f}}",
              sensorId(s), T0 + i * 1_000L, 20.0 + (i % 10) * 0.1);
          sends.add(producer.send(new ProducerRecord<>(READINGS, sensorId(s), json)));
        }
      }
      for (Future<?> send : sends) {
        send.get();
      }
      long end = endOffsets(admin);
      assertEquals((long) SENSORS * PER_SENSOR, end);

      awaitCommitted(admin, end / 3); // in the middle of the backlog
      nodes.get(2).kill();
      awaitCommitted(admin, end);
    }

    for (NodeProcess survivor : nodes.subList(0, 2)) {
      for (int s = 0; s < SENSORS; s++) {
        JsonNode state = state(survivor, sensorId(s));
        assertEquals(PER_SENSOR, state.get("readings").asLong(), sensorId(s) + " on " + survivor.name());
        assertEquals(0, state.get("lateReadings").asLong(), sensorId(s));
        JsonNode closed = tumbling(state.get("recentWindows"));
        JsonNode open = tumbling(state.get("openWindows"));
        assertEquals(60, closed.get("count").asLong(), sensorId(s) + " first minute");
        assertEquals(PER_SENSOR - 60, open.get("count").asLong(), sensorId(s) + " second minute");
      }
    }
  }

  private static JsonNode tumbling(JsonNode windows) {
    for (JsonNode w : windows) {
      if (w.get("spec").asText().equals("tumbling-60s")) {
        return w;
      }
    }
    throw new AssertionError("no tumbling window in " + windows);
  }

  /** The entity's state from {@code node}, retried while the cluster moves shards (503) for up to PATIENCE. */
  private JsonNode state(NodeProcess node, String id) throws Exception {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (true) {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.ports().http() + "/api/v1/entities/sensor/" + id))
                  .header("Authorization", "Bearer " + TOKEN)
                  .timeout(Duration.ofSeconds(30))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() == 200) {
        return JSON.readTree(response.body());
      }
      assertTrue(System.nanoTime() < deadline, id + " did not answer from " + node.name() + ": " + response.body());
      Thread.sleep(500);
    }
  }

  private static long endOffsets(Admin admin) throws Exception {
    return admin.listOffsets(List.of(0, 1, 2, 3).stream()
            .collect(Collectors.toMap(p -> new TopicPartition(READINGS, p), p -> OffsetSpec.latest())))
        .all().get().values().stream().mapToLong(o -> o.offset()).sum();
  }

  private static void awaitCommitted(Admin admin, long atLeast) throws Exception {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    long committed = 0;
    while (System.nanoTime() < deadline) {
      committed = admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get().entrySet().stream()
          .filter(e -> e.getKey().topic().equals(READINGS) && e.getValue() != null)
          .mapToLong(e -> e.getValue().offset())
          .sum();
      if (committed >= atLeast) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("only " + committed + " of " + atLeast + " offsets committed within " + PATIENCE);
  }
}
