package io.tidewatch.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidewatch.deploy.FreePorts;
import io.tidewatch.deploy.LocalInfra;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.japi.function.Creator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The HTTP API of issue 5 on a node over real Kafka and Cassandra: readings posted over HTTP, the audit journal
 * and state as of a point, the read side (entity listing, recent alerts, live alert stream), cluster views and
 * readiness.
 */
class ApiIT {

  private static final long T0 = 1_700_000_040_000L;
  private static final String TOKEN = "api-it-token-with-every-role";
  private static final Duration PATIENCE = Duration.ofSeconds(90);
  private static final ObjectMapper JSON = new ObjectMapper();

  private static LocalInfra infra;
  private static ActorSystem<Void> node;
  private static String api;
  private static String management;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    Path dataDir = Files.createTempDirectory("tidewatch-api-it");
    infra = LocalInfra.start(dataDir, LocalInfra.Ports.free(), LocalInfra.DEFAULT_TOPICS);
    int httpPort = FreePorts.next();
    int managementPort = FreePorts.next();
    node =
        TestNodes.start(
            infra,
            Map.of(
                "tidewatch.http.port", httpPort,
                "tidewatch.http.tokens", TOKEN + "=reader+writer+auditor+operator",
                "pekko.management.http.port", managementPort));
    api = "http://127.0.0.1:" + httpPort + "/api/v1";
    management = "http://127.0.0.1:" + managementPort;
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

  private static String reading(String id, long ts, double temperature) {
    return String.format(
        Locale.ROOT,
        "{\"entityType\":\"sensor\",\"entityId\":\"%s\",\"ts\":%d,\"metrics\":{\"temperature\":%.1f}}",
        id, ts, temperature);
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(
        request.header("Authorization", "Bearer " + TOKEN).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode get(String path) throws Exception {
    HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(api + path)));
    assertEquals(200, response.statusCode(), path + ": " + response.body());
    return JSON.readTree(response.body());
  }

  private JsonNode post(String body) throws Exception {
    HttpResponse<String> response =
        send(HttpRequest.newBuilder(URI.create(api + "/readings")).POST(HttpRequest.BodyPublishers.ofString(body)));
    assertEquals(202, response.statusCode(), response.body());
    return JSON.readTree(response.body());
  }

  private static <T> T eventually(Creator<T> check) {
    return TestProbe.create(node).awaitAssert(PATIENCE, Duration.ofMillis(250), check);
  }

  private JsonNode stateWith(String id, long readings) {
    return eventually(() -> {
      JsonNode state = get("/entities/sensor/" + id);
      assertEquals(readings, state.get("readings").asLong());
      return state;
    });
  }

  @Test
  void postedReadingsCanBeAuditedAndTheStateRebuiltAsOfAnyPoint() throws Exception {
    String id = "api-it-audit";
    List<String> first = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      first.add(reading(id, T0 + i * 1_000L, 20.0 + (i == 20 ? 30 : 0)));
    }
    JsonNode accepted = post("[" + String.join(",", first) + ",{\"entityId\":\"no type\"}]");
    assertEquals(40, accepted.get("accepted").asInt());
    assertEquals(1, accepted.get("rejected").asInt());
    JsonNode then = stateWith(id, 40);
    long between = System.currentTimeMillis();
    StringBuilder ndjson = new StringBuilder();
    for (int i = 40; i < 130; i++) {
      ndjson.append(reading(id, T0 + i * 1_000L, 21.0)).append('\n');
    }
    assertEquals(90, post(ndjson.toString()).get("accepted").asInt());
    JsonNode now = stateWith(id, 130);
    assertEquals(0, now.get("lateReadings").asLong(), "posted in order, recorded in order");

    List<JsonNode> journal = new ArrayList<>();
    try (Stream<String> lines =
        http.send(
                HttpRequest.newBuilder(URI.create(api + "/entities/sensor/" + id + "/journal"))
                    .header("Authorization", "Bearer " + TOKEN)
                    .build(),
                HttpResponse.BodyHandlers.ofLines())
            .body()) {
      for (Iterator<String> it = lines.iterator(); it.hasNext(); ) {
        journal.add(JSON.readTree(it.next()));
      }
    }
    // Every row of the journal, oldest first; a row of several entries lists them as its parts 1..parts, together.
    long row = 0;
    for (int i = 0; i < journal.size(); i++) {
      JsonNode line = journal.get(i);
      int part = line.path("part").asInt(1);
      if (part == 1) {
        assertEquals(++row, line.get("seqNr").asLong(), "oldest first, no row missing");
      } else {
        assertEquals(row, line.get("seqNr").asLong(), "a row's entries are together");
        assertEquals(part - 1, journal.get(i - 1).path("part").asInt(1), "in order");
      }
      if (i + 1 == journal.size() || journal.get(i + 1).path("part").asInt(1) == 1) {
        assertEquals(line.path("parts").asInt(1), part, "every entry of the row");
      }
    }
    assertEquals(now.get("lastSeqNr").asLong(), row, "every row of the journal, once");
    // tidewatch replay prints the same entries, one per table row, numbered seqNr.part as the journal gives them.
    StringWriter table = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = Main.commandLine().setOut(new PrintWriter(table)).setErr(new PrintWriter(err))
        .execute("replay", "--url", api.substring(0, api.length() - "/api/v1".length()), "--token", TOKEN,
            "--format", "table", "sensor/" + id);
    assertEquals(0, exit, err.toString());
    List<String> rows = table.toString().lines().skip(1).toList();
    assertEquals(journal.size(), rows.size());
    for (int i = 0; i < rows.size(); i++) {
      JsonNode line = journal.get(i);
      String seqNr = line.get("seqNr").asText() + (line.has("part") ? "." + line.get("part").asInt() : "");
      String[] cells = rows.get(i).split(" +");
      assertEquals(seqNr + " " + line.get("type").asText(), cells[0] + " " + cells[2]);
    }
    long recorded = journal.stream()
        .filter(l -> l.get("type").asText().equals("ReadingsRecorded"))
        .mapToLong(l -> l.get("event").get("readings").size())
        .sum();
    assertEquals(130, recorded);
    assertEquals(then, get("/entities/sensor/" + id + "/state?asOfSeq=" + then.get("lastSeqNr").asLong()));
    assertEquals(then, get("/entities/sensor/" + id + "/state?asOf=" + Instant.ofEpochMilli(between)));
    assertEquals(now, get("/entities/sensor/" + id + "/state?asOf=" + System.currentTimeMillis()));
  }

  @Test
  void theReadSideListsEntitiesAndStreamsAndListsTheirAlerts() throws Exception {
    String id = "api-it-alerting";
    // The stream's answer has begun (headers received) before the reading is posted: the alert is news to it.
    HttpResponse<Stream<String>> live =
        http.send(
            HttpRequest.newBuilder(URI.create(api + "/stream/alerts")).header("Authorization", "Bearer " + TOKEN).build(),
            HttpResponse.BodyHandlers.ofLines());
    assertEquals(200, live.statusCode());
    try (Stream<String> lines = live.body()) {
      CompletableFuture<JsonNode> streamed = CompletableFuture.supplyAsync(() -> firstAlert(lines.iterator()));
      post(reading(id, T0, 20.0) + "\n" + reading(id, T0 + 1_000, 45.0) + "\n");
      stateWith(id, 2);

      JsonNode alert = streamed.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
      assertEquals(id + ":3", alert.get("alertId").asText(), "registered, readings, then the alert");
      assertEquals("delta", alert.get("rule").asText());
      assertEquals("critical", alert.get("severity").asText(), "|Δ| 25 is 5 times the threshold 5");
    }
    eventually(() -> {
      JsonNode page = get("/alerts?limit=1000");
      JsonNode listed = null;
      for (JsonNode item : page.get("items")) {
        listed = item.get("alertId").asText().equals(id + ":3") ? item : listed;
      }
      assertTrue(listed != null, page.toString());
      assertEquals("critical", listed.get("severity").asText());
      return null;
    });
    eventually(() -> {
      List<String> listed = new ArrayList<>();
      get("/entities/sensor?limit=1000").get("items").forEach(n -> listed.add(n.asText()));
      assertTrue(listed.contains(id), listed.toString());
      return null;
    });
  }

  @Test
  void anIncidentOpensStreamsAndResolvesThroughTheReadSide() throws Exception {
    String id = "api-it-incident";
    HttpResponse<Stream<String>> live =
        http.send(
            HttpRequest.newBuilder(URI.create(api + "/stream/incidents")).header("Authorization", "Bearer " + TOKEN)
                .build(),
            HttpResponse.BodyHandlers.ofLines());
    assertEquals(200, live.statusCode());
    String incidentId = id + ":4"; // registered, readings, the alert, then the incident it opens
    try (Stream<String> lines = live.body()) {
      CompletableFuture<JsonNode> streamed =
          CompletableFuture.supplyAsync(() -> firstEvent(lines.iterator(), "incident"));
      post(reading(id, T0, 20.0) + "\n" + reading(id, T0 + 1_000, 45.0) + "\n");

      JsonNode opened = streamed.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
      assertEquals(incidentId, opened.get("incidentId").asText());
      assertEquals("opened", opened.get("transition").asText());
      assertEquals(incidentId + ":opened", opened.get("transitionId").asText());
      assertEquals("critical", opened.get("severity").asText());
      assertEquals(id + ":3", opened.get("alertId").asText());
    }
    eventually(() -> {
      assertTrue(get("/incidents?state=open&limit=1000").toString().contains(incidentId));
      return null;
    });
    // Back inside the recovery band from 2 s on, for the default keep-firing time of a minute.
    post(reading(id, T0 + 2_000, 45.0) + "\n" + reading(id, T0 + 62_000, 45.0) + "\n");
    eventually(() -> {
      JsonNode resolved = get("/entities/sensor/" + id + "/incidents?state=resolved").get("items");
      assertEquals(1, resolved.size(), resolved.toString());
      assertEquals(incidentId, resolved.get(0).get("incidentId").asText());
      assertEquals("critical", resolved.get(0).get("severity").asText());
      assertEquals(id + ":3", resolved.get(0).get("alertId").asText(), "the opening's hit, kept by the resolution");
      assertTrue(!get("/incidents?state=open&limit=1000").toString().contains(incidentId));
      return null;
    });
  }

  /** The data of the first alert event of a live stream. */
  private static JsonNode firstAlert(Iterator<String> lines) {
    return firstEvent(lines, "alert");
  }

  /** The data of the first event named {@code name} of a live stream. */
  private static JsonNode firstEvent(Iterator<String> lines, String name) {
    Map<String, String> event = new HashMap<>();
    while (lines.hasNext()) {
      String line = lines.next();
      if (line.isEmpty()) {
        if (name.equals(event.get("event"))) {
          try {
            return JSON.readTree(event.get("data"));
          } catch (Exception e) {
            throw new IllegalStateException("an event's data is JSON", e);
          }
        }
        event.clear();
      } else if (line.indexOf(':') > 0) {
        event.put(line.substring(0, line.indexOf(':')), line.substring(line.indexOf(':') + 1).trim());
      }
    }
    throw new AssertionError("the stream ended");
  }

  @Test
  void operatorsSeeTheClusterAndItsShardsAndTheNodeTurnsReady() throws Exception {
    post(reading("api-it-cluster", T0, 20.0));
    stateWith("api-it-cluster", 1);

    JsonNode cluster = get("/cluster");
    assertEquals("Up", cluster.get("members").get(0).get("status").asText());
    assertEquals(cluster.get("self").asText(), cluster.get("leader").asText());
    JsonNode shards = get("/cluster/shards");
    long sensors = 0;
    for (JsonNode type : shards.get("types")) {
      if (type.get("type").asText().equals("sensor")) {
        for (JsonNode region : type.get("nodes")) {
          sensors += region.get("entities").asLong();
        }
      }
    }
    assertTrue(sensors >= 1, shards.toString());
    eventually(() -> {
      HttpResponse<String> ready =
          http.send(HttpRequest.newBuilder(URI.create(management + "/ready")).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, ready.statusCode(), ready.body());
      return null;
    });
    String metrics =
        http.send(HttpRequest.newBuilder(URI.create(api.replace("/api/v1", "/metrics"))).build(), HttpResponse.BodyHandlers.ofString())
            .body();
    for (String name : List.of("tidewatch_readings_ingested_total{type=\"sensor\"}", "tidewatch_persist_seconds_bucket",
        "tidewatch_ingest_ask_seconds_bucket", "tidewatch_entities_active{type=\"sensor\"}",
        "tidewatch_http_requests_seconds_count", "tidewatch_kafka_consumer_lag", "jvm_memory_used_bytes")) {
      assertTrue(metrics.contains(name), name + " in /metrics");
    }
    // Every series the health alerting rules watch (in their expressions, not their prose) is one the node serves.
    String rules = Files.readString(Path.of("..", "deploy", "prometheus", "tidewatch-rules.yml"));
    Matcher expressions = Pattern.compile("expr:(.*?)\\n\\s+(?:for|labels):", Pattern.DOTALL).matcher(rules);
    StringBuilder watchedText = new StringBuilder();
    while (expressions.find()) {
      watchedText.append(expressions.group(1)).append('\n');
    }
    Matcher watched = Pattern.compile("\\btidewatch_[a-z_]+").matcher(watchedText);
    java.util.Set<String> names = new java.util.TreeSet<>();
    while (watched.find()) {
      names.add(watched.group());
    }
    assertEquals(7, names.size(), names.toString());
    List<String> missing = names.stream()
        .filter(name -> !metrics.contains("\n" + name + "{") && !metrics.contains("\n" + name + " "))
        .toList();
    assertEquals(List.of(), missing, "watched by deploy/prometheus/tidewatch-rules.yml, not in /metrics");
    assertTrue(metrics.contains("tidewatch_cluster_unreachable_members 0.0"), "a cluster of one reaches itself");
    assertTrue(metrics.contains("tidewatch_cluster_members_up 1.0"));
    HttpResponse<String> alive =
        http.send(HttpRequest.newBuilder(URI.create(management + "/alive")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, alive.statusCode());
  }
}
