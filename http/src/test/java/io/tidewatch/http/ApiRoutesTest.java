package io.tidewatch.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.tidewatch.persistence.state.EntityTypes;
import io.tidewatch.protocol.EntityProtocol.RecordAck;
import io.tidewatch.protocol.EntityProtocol.RecordReadings;
import io.tidewatch.protocol.EntityProtocol.SourcedReading;
import io.tidewatch.sharding.EntitySettings;
import io.tidewatch.sharding.TrackedEntity;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The API over real HTTP on a one-node cluster with the in-memory journal; a fresh entity id per test. */
class ApiRoutesTest {

  private static final long T0 = 1_700_000_040_000L;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static ActorSystem<Void> system;
  private static String base;
  private final HttpClient client = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    Config config =
        ConfigFactory.parseString(
                """
                pekko.actor.provider = cluster
                pekko.remote.artery.canonical { hostname = "127.0.0.1", port = 0 }
                pekko.loglevel = WARNING
                tidewatch.http.ask-timeout = 3s
                tidewatch.query.read-journal = "pekko.persistence.testkit.query"
                """)
            .withFallback(PersistenceTestKitPlugin.getInstance().config())
            .withFallback(PersistenceTestKitSnapshotPlugin.config())
            .withFallback(ConfigFactory.parseResources("serialization.conf"))
            .withFallback(ConfigFactory.parseResources("entities.conf"))
            .withFallback(ConfigFactory.parseResources("http.conf"))
            .withFallback(ConfigFactory.parseResources("persistence.conf"))
            .withFallback(ConfigFactory.load())
            .resolve();
    system = ActorSystem.create(Behaviors.empty(), "api-routes-test", config);
    Cluster cluster = Cluster.get(system);
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    EntityTypes types = EntityTypes.fromConfig(config);
    TrackedEntity.init(system, types, new EntitySettings(Duration.ofMinutes(2)));
    HttpSettings settings = new HttpSettings("127.0.0.1", 0, Duration.ofSeconds(3));
    ServerBinding binding =
        Http.get(system)
            .newServerAt("127.0.0.1", 0)
            .bind(new ApiRoutes(system, types, settings).routes())
            .toCompletableFuture()
            .join();
    base = "http://127.0.0.1:" + binding.localAddress().getPort();
  }

  @AfterAll
  static void stop() {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().join();
  }

  private static String freshId() {
    return "sensor-" + UUID.randomUUID();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create(base + path)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void record(String id, SourcedReading... readings) {
    RecordAck ack =
        ClusterSharding.get(system)
            .entityRefFor(TrackedEntity.typeKey("sensor"), id)
            .<RecordAck>ask(replyTo -> new RecordReadings(List.of(readings), replyTo), Duration.ofSeconds(10))
            .toCompletableFuture()
            .join();
    assertEquals(readings.length, ack.recorded());
  }

  private static SourcedReading reading(long offset, long ts, double temperature) {
    return new SourcedReading(ts, Map.of("temperature", temperature), null, Map.of(), 0, offset);
  }

  private static JsonNode problem(HttpResponse<String> response, int status) throws Exception {
    assertEquals(status, response.statusCode(), response.body());
    assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElseThrow());
    JsonNode body = JSON.readTree(response.body());
    assertEquals(status, body.get("status").asInt());
    assertTrue(!body.get("detail").asText().isBlank(), "a problem says what is wrong");
    return body;
  }

  @Test
  void servesTheStateOfAnEntityThatRecordedReadings() throws Exception {
    String id = freshId();
    record(id, reading(0, T0 + 1_000, 20.0), reading(1, T0 + 2_000, 22.0), reading(2, T0 + 70_000, 23.5));

    HttpResponse<String> response = get("/api/v1/entities/sensor/" + id);

    assertEquals(200, response.statusCode(), response.body());
    JsonNode state = JSON.readTree(response.body());
    assertEquals("sensor", state.get("entityType").asText());
    assertEquals(id, state.get("entityId").asText());
    assertEquals(3, state.get("readings").asLong());
    assertEquals(23.5, state.get("lastValues").get("temperature").asDouble());
    assertEquals(T0 + 65_000, state.get("watermarkMs").asLong());
    JsonNode closed = tumbling(state.get("recentWindows")).get(0);
    assertEquals("temperature", closed.get("metric").asText());
    assertEquals(T0, closed.get("start").asLong());
    assertEquals(2, closed.get("count").asLong());
    assertEquals(21.0, closed.get("mean").asDouble(), 1e-9);
    assertEquals(1, tumbling(state.get("openWindows")).size());
    assertEquals(5, state.get("openWindows").size() - 1, "and the five sliding 5m windows holding the last reading");
    assertEquals(3, state.get("lastSeqNr").asLong(), "the readings, then the tumbling and one sliding window closed");
  }

  private static List<JsonNode> tumbling(JsonNode windows) {
    List<JsonNode> matching = new java.util.ArrayList<>();
    windows.forEach(w -> {
      if (w.get("spec").asText().equals("tumbling-60s")) {
        matching.add(w);
      }
    });
    return matching;
  }

  @Test
  void answers404WithAProblemForAnEntityNeverSeen() throws Exception {
    JsonNode body = problem(get("/api/v1/entities/sensor/" + freshId()), 404);
    assertTrue(body.get("detail").asText().contains("has recorded anything"));
  }

  @Test
  void answers404ForAnUnknownEntityType() throws Exception {
    JsonNode body = problem(get("/api/v1/entities/robot/r1"), 404);
    assertTrue(body.get("detail").asText().contains("unknown entity type"));
  }

  @Test
  void answers400ForAMalformedEntityId() throws Exception {
    problem(get("/api/v1/entities/sensor/bad%20id%21"), 400);
  }

  @Test
  void answersProblemsForUnknownPathsAndMethods() throws Exception {
    problem(get("/api/v1/nothing-here"), 404);
    HttpResponse<String> post =
        client.send(
            HttpRequest.newBuilder(URI.create(base + "/api/v1/entities/sensor/s1"))
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    problem(post, 405);
  }

  @Test
  void pagesClosedWindowsNewestFirstWithFilters() throws Exception {
    String id = freshId();
    record(id, reading(0, T0 + 1_000, 20.0), reading(1, T0 + 2_000, 22.0), reading(2, T0 + 70_000, 23.5), reading(3, T0 + 130_000, 24.0));
    String windows = "/api/v1/entities/sensor/" + id + "/windows?spec=tumbling-60s&metric=temperature";

    JsonNode all = JSON.readTree(get(windows).body());
    assertEquals(2, all.get("items").size());
    assertEquals(T0 + 60_000, all.get("items").get(0).get("start").asLong(), "newest first");
    assertEquals(T0, all.get("items").get(1).get("start").asLong());
    assertTrue(all.get("next").isNull());

    JsonNode first = JSON.readTree(get(windows + "&limit=1").body());
    assertEquals(1, first.get("items").size());
    JsonNode second = JSON.readTree(get(windows + "&limit=1&cursor=" + first.get("next").asText()).body());
    assertEquals(T0, second.get("items").get(0).get("start").asLong());
    assertTrue(second.get("next").isNull());

    JsonNode fromIso = JSON.readTree(get(windows + "&from=" + java.time.Instant.ofEpochMilli(T0 + 1)).body());
    assertEquals(1, fromIso.get("items").size(), "from bounds the window start");
  }

  @Test
  void servesAlertsOfAnEntity() throws Exception {
    String id = freshId();
    record(id, reading(0, T0, 20.0), reading(1, T0 + 1_000, 31.0));

    JsonNode alerts = JSON.readTree(get("/api/v1/entities/sensor/" + id + "/alerts").body());

    assertEquals(1, alerts.get("items").size());
    JsonNode alert = alerts.get("items").get(0);
    assertTrue(alert.get("alertId").asText().startsWith(id + ":"));
    assertEquals("delta", alert.get("rule").asText());
    assertEquals("temperature", alert.get("metric").asText());
    assertEquals(31.0, alert.get("value").asDouble());
    assertEquals(20.0, alert.get("previous").asDouble());
    assertEquals(5.0, alert.get("threshold").asDouble());
    assertEquals(T0 + 1_000, alert.get("ts").asLong());
    assertEquals("sensor", alert.get("entityType").asText());
  }

  @Test
  void readsWindowsOlderThanTheEntityKeepsFromTheJournal() throws Exception {
    String id = freshId();
    SourcedReading[] hourly = new SourcedReading[72];
    for (int i = 0; i < hourly.length; i++) {
      hourly[i] = reading(i, T0 + i * 60_000L, 20.0);
    }
    record(id, hourly);

    JsonNode page =
        JSON.readTree(get("/api/v1/entities/sensor/" + id + "/windows?spec=tumbling-60s&limit=1000").body());

    assertEquals(70, page.get("items").size(), "all 70 closed minutes, though the entity keeps only 60");
    assertEquals(T0, page.get("items").get(69).get("start").asLong());
  }

  @Test
  void rejectsBadQueryParameters() throws Exception {
    String id = freshId();
    record(id, reading(0, T0, 20.0));
    String base = "/api/v1/entities/sensor/" + id;
    problem(get(base + "/windows?limit=0"), 400);
    problem(get(base + "/windows?limit=abc"), 400);
    problem(get(base + "/windows?from=yesterday"), 400);
    problem(get(base + "/windows?from=2000&to=1000"), 400);
    problem(get(base + "/windows?spec=tumbling-7s"), 400);
    problem(get(base + "/windows?metric=bad%20name"), 400);
    problem(get(base + "/alerts?cursor=-1"), 400);
    problem(get("/api/v1/entities/sensor/" + freshId() + "/windows"), 404);
  }
}
