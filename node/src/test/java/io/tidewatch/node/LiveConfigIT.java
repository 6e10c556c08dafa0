package io.tidewatch.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.japi.function.Creator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Live changes of a type's rules and pipeline (issue 19) on a cluster of two nodes over real Kafka and Cassandra: a
 * change made on one node is in force on the other within moments, the readings after it are judged by the new
 * rules and shaped by the new pipeline, every hit and journal entry names the version, and the audit replay rebuilds
 * the entity's state under the versions of their time.
 */
class LiveConfigIT {

  private static final String TOKEN = "live-config-it-token-with-every-role";
  private static final Duration PATIENCE = Duration.ofSeconds(90);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long T0 = 1_700_000_040_000L;

  private static LocalInfra infra;
  private static final List<ActorSystem<Void>> nodes = new ArrayList<>();
  private static String apiA;
  private static String apiB;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    infra = LocalInfra.start(
        Files.createTempDirectory("tidewatch-live-config-it"), LocalInfra.Ports.free(), LocalInfra.DEFAULT_TOPICS);
    int remotingA = FreePorts.next();
    int httpA = FreePorts.next();
    int httpB = FreePorts.next();
    String types = """
        tidewatch.http.tokens = "%s=reader+writer+auditor+operator"
        tidewatch.entity-types.sensor.anomalies = [{ rule = delta, metrics = [temperature], threshold = 100 }]
        """.formatted(TOKEN);
    nodes.add(TestNodes.start(infra, ConfigFactory.parseString(types + """
        tidewatch.http.port = %d
        pekko.management.http.port = %d
        pekko.remote.artery.canonical.port = %d
        """.formatted(httpA, FreePorts.next(), remotingA))));
    nodes.add(TestNodes.start(infra, ConfigFactory.parseString(types + """
        tidewatch.http.port = %d
        pekko.management.http.port = %d
        pekko.cluster.seed-nodes = ["pekko://tidewatch@127.0.0.1:%d"]
        """.formatted(httpB, FreePorts.next(), remotingA))));
    apiA = "http://127.0.0.1:" + httpA + "/api/v1";
    apiB = "http://127.0.0.1:" + httpB + "/api/v1";
  }

  @AfterAll
  static void stop() {
    for (ActorSystem<Void> node : nodes) {
      node.terminate();
      node.getWhenTerminated().toCompletableFuture().join();
    }
    if (infra != null) {
      infra.close();
    }
  }

  private static String reading(String id, long ts, double temperature) {
    return "{\"entityType\":\"sensor\",\"entityId\":\"" + id + "\",\"ts\":" + ts
        + ",\"metrics\":{\"temperature\":" + temperature + ",\"humidity\":50.0}}";
  }

  private JsonNode call(String method, String url, String body, int expected) throws Exception {
    HttpResponse<String> response = http.send(
        HttpRequest.newBuilder(URI.create(url))
            .header("Authorization", "Bearer " + TOKEN)
            .timeout(Duration.ofSeconds(30))
            .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(expected, response.statusCode(), method + " " + url + ": " + response.body());
    return response.body().isEmpty() || response.body().startsWith("{") ? JSON.readTree(response.body()) : null;
  }

  private void post(String... readings) throws Exception {
    call("POST", apiB + "/readings", "[" + String.join(",", readings) + "]", 202);
  }

  /** The version node B runs for the sensor type, as its own registry has it. */
  private int versionOnB() throws Exception {
    for (JsonNode type : call("GET", apiB + "/types", null, 200).get("items")) {
      if (type.get("type").asText().equals("sensor")) {
        return type.get("nodeVersion").asInt();
      }
    }
    throw new AssertionError("no sensor type on node B");
  }

  @Test
  void aChangeOnOneNodeIsInForceOnTheOtherAndEveryResultNamesItsVersion() throws Exception {
    eventually(() -> assertEquals(2, call("GET", apiA + "/cluster", null, 200).get("members").size()));
    String id = "sensor-live-" + UUID.randomUUID();
    post(reading(id, T0, 20.0), reading(id, T0 + 1_000, 25.0)); // Δ 5 under the file's 100: nothing
    eventually(() -> assertEquals(2, call("GET", apiA + "/entities/sensor/" + id, null, 200).get("readings").asLong()));
    int before = call("GET", apiA + "/types/sensor/rules", null, 200).get("version").asInt();

    JsonNode rules = call("PUT", apiA + "/types/sensor/rules",
        "{\"anomalies\":[{\"rule\":\"delta\",\"metrics\":[\"temperature\"],\"threshold\":1}],\"changedBy\":\"it\"}", 200);
    int version = rules.get("version").asInt();
    assertEquals(before + 1, version);
    eventually(() -> assertEquals(version, versionOnB())); // each node logs how long it took to hear of it

    post(reading(id, T0 + 2_000, 28.0)); // Δ 3 under the new threshold of 1: a hit
    JsonNode alert = eventually(() -> {
      JsonNode alerts = call("GET", apiA + "/entities/sensor/" + id + "/alerts", null, 200).get("items");
      assertEquals(1, alerts.size(), alerts.toString());
      return alerts.get(0);
    });
    assertEquals(version, alert.get("configVersion").asInt());
    assertEquals(1.0, alert.get("threshold").asDouble());
    JsonNode incident = eventually(() -> {
      JsonNode incidents = call("GET", apiA + "/entities/sensor/" + id + "/incidents", null, 200).get("items");
      assertEquals(1, incidents.size(), incidents.toString());
      return incidents.get(0);
    });
    assertEquals(alert.get("alertId"), incident.get("alertId"));
    assertEquals(version, incident.get("configVersion").asInt());

    // The pipeline from a HOCON file, through the command line (bin/tidewatch types set-pipeline).
    Path file = Files.createTempFile("pipeline", ".conf");
    Files.writeString(file, "pipeline = [ { derive = gap, expr = \"metrics.temperature - metrics.humidity\" } ]\n");
    StringWriter out = new StringWriter();
    int exit = Main.commandLine().setOut(new PrintWriter(out))
        .execute("types", "set-pipeline", "sensor", file.toString(), "--by", "it", "--url", apiB.replace("/api/v1", ""),
            "--token", TOKEN);
    assertEquals(0, exit, out.toString());
    int piped = version + 1;
    assertEquals("sensor is at version " + piped + " (pipeline by it)", out.toString().strip());
    JsonNode pipeline = call("GET", apiA + "/types/sensor/pipeline", null, 200);
    assertEquals(piped, pipeline.get("version").asInt());
    assertEquals(1, pipeline.get("anomalies").size(), "the rules stay as they were");
    eventually(() -> assertEquals(piped, versionOnB()));
    post(reading(id, T0 + 3_000, 28.5));
    JsonNode state = eventually(() -> {
      JsonNode s = call("GET", apiA + "/entities/sensor/" + id, null, 200);
      assertEquals(4, s.get("readings").asLong());
      return s;
    });
    assertEquals(-21.5, state.get("lastValues").get("gap").asDouble(), 1e-9, "derived by the new pipeline");

    List<Integer> recordedVersions = new ArrayList<>();
    String journal = http.send(HttpRequest.newBuilder(URI.create(apiA + "/entities/sensor/" + id + "/journal"))
        .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString()).body();
    for (String line : journal.split("\n")) {
      JsonNode entry = JSON.readTree(line);
      if (entry.get("type").asText().equals("ReadingsRecorded")) {
        recordedVersions.add(entry.at("/event/configVersion").asInt());
      }
    }
    assertEquals(List.of(before, version, piped), recordedVersions);

    JsonNode replayed = call("GET", apiA + "/entities/sensor/" + id + "/state?asOfSeq=" + state.get("lastSeqNr").asLong(),
        null, 200);
    assertEquals(state.get("anomalies"), replayed.get("anomalies"));
    assertEquals(state.get("lastValues"), replayed.get("lastValues"));
    assertTrue(state.get("anomalies").asInt() >= 1);
  }

  private static <T> T eventually(Creator<T> check) {
    return TestProbe.create(nodes.get(0)).awaitAssert(PATIENCE, Duration.ofMillis(100), check);
  }

  private static void eventually(ThrowingRunnable check) {
    eventually(() -> {
      check.run();
      return null;
    });
  }

  @FunctionalInterface
  private interface ThrowingRunnable {
    void run() throws Exception;
  }
}
