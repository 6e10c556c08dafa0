package io.tidewatch.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.tidewatch.deploy.FreePorts;
import io.tidewatch.deploy.LocalInfra;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.japi.function.Creator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A type's pipeline on a node over real Kafka and Cassandra: readings posted in °F reach the entity in °C with a
 * derived metric, the range rule written in °F fires on the converted value, and a reading its {@code drop-if}
 * matched is on the dead-letter topic with the predicate named.
 */
class PipelineIT {

  private static final String TOKEN = "pipeline-it-token-with-every-role";
  private static final Duration PATIENCE = Duration.ofSeconds(90);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long T0 = 1_700_000_040_000L;

  private static LocalInfra infra;
  private static ActorSystem<Void> node;
  private static String api;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    infra = LocalInfra.start(
        Files.createTempDirectory("tidewatch-pipeline-it"), LocalInfra.Ports.free(), LocalInfra.DEFAULT_TOPICS);
    int httpPort = FreePorts.next();
    node = TestNodes.start(infra, ConfigFactory.parseString("""
        tidewatch.http.port = %d
        tidewatch.http.tokens = "%s=reader+writer+auditor+operator"
        pekko.management.http.port = %d
        tidewatch.entity-types.sensor {
          anomalies = [{ rule = range, metrics = [temperature], min = 32, max = 122 }]
          pipeline = [
            { drop-if = "metrics.temperature > 1000.0", action = dead-letter }
            { convert = temperature, from = degF, to = degC }
            { derive = dew_gap, expr = "metrics.temperature - metrics.humidity / 5.0" }
          ]
        }
        """.formatted(httpPort, TOKEN, FreePorts.next())));
    api = "http://127.0.0.1:" + httpPort + "/api/v1";
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.terminate();
      node.getWhenTerminated().toCompletableFuture().join();
    }
    if (infra != null) {
      infra.close();
    }
  }

  private static String reading(String id, long ts, double temperatureF) {
    return "{\"entityType\":\"sensor\",\"entityId\":\"" + id + "\",\"ts\":" + ts
        + ",\"metrics\":{\"temperature\":" + temperatureF + ",\"humidity\":50.0}}";
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(
        request.header("Authorization", "Bearer " + TOKEN).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void convertsDerivesAndDeadLettersWhatItsPredicateDrops() throws Exception {
    String id = "sensor-pipeline-" + UUID.randomUUID();
    String dropped = reading(id, T0 + 1_000, 2000.0);
    String body = "[" + reading(id, T0, 68.0) + "," + dropped + "," + reading(id, T0 + 2_000, 140.0) + "]";
    HttpResponse<String> posted =
        send(HttpRequest.newBuilder(URI.create(api + "/readings")).POST(HttpRequest.BodyPublishers.ofString(body)));
    assertEquals(202, posted.statusCode(), posted.body());

    JsonNode state = eventually(() -> {
      HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(api + "/entities/sensor/" + id)));
      assertEquals(200, response.statusCode(), response.body());
      JsonNode s = JSON.readTree(response.body());
      assertEquals(2, s.get("readings").asLong(), "the dropped reading never reaches the entity");
      return s;
    });
    assertEquals(60.0, state.get("lastValues").get("temperature").asDouble(), 1e-9, "140 °F is 60 °C");
    assertEquals(50.0, state.get("lastValues").get("dew_gap").asDouble(), 1e-9, "derived after the conversion");
    assertEquals(1, state.get("anomalies").asLong(), "range [32, 122] °F is [0, 50] °C: 60 °C is out, 20 °C is in");

    ConsumerRecord<byte[], byte[]> deadLetter = deadLetterOf(dropped);
    String reason = new String(deadLetter.headers().lastHeader("tidewatch-error").value(), StandardCharsets.UTF_8);
    assertEquals("pipeline: 0:drop-if drop-if \"metrics.temperature > 1000.0\" matched", reason);
  }

  private static ConsumerRecord<byte[], byte[]> deadLetterOf(String value) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrapServers());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "pipeline-it-" + UUID.randomUUID());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    try (var consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of("tidewatch.dead-letters"));
      long deadline = System.nanoTime() + PATIENCE.toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
          if (new String(record.value(), StandardCharsets.UTF_8).equals(value)) {
            return record;
          }
        }
      }
    }
    assertNotNull(null, "no dead letter for " + value);
    return null;
  }

  private static <T> T eventually(Creator<T> check) {
    return TestProbe.create(node).awaitAssert(PATIENCE, Duration.ofMillis(250), check);
  }
}
