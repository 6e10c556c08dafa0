package io.tidewatch.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.tidewatch.http.auth.ApiTokens;
import io.tidewatch.http.ingest.ReadingsPublisher.KeyedReading;
import io.tidewatch.persistence.state.EntityTypes;
import io.tidewatch.protocol.AlertView;
import io.tidewatch.protocol.ProtobufReadings;
import io.tidewatch.protocol.Reading;
import io.tidewatch.protocol.ReadingFormat;
import io.tidewatch.protocol.ReadingParser;
import io.tidewatch.protocol.Severity;
import io.tidewatch.protocol.EntityProtocol.RecordAck;
import io.tidewatch.protocol.EntityProtocol.RecordReadings;
import io.tidewatch.protocol.EntityProtocol.SourcedReading;
import io.tidewatch.sharding.EntitySettings;
import io.tidewatch.sharding.TrackedEntity;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.Done;
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
  private static final String READER = TestApi.READER;
  private static final String WRITER = TestApi.WRITER;
  private static final String AUDITOR = TestApi.AUDITOR;
  private static final String OPERATOR = TestApi.OPERATOR;
  private static final long MAX_BODY = TestApi.MAX_BODY;
  private static TestApi api;
  static final ListReadSide READ_SIDE = new ListReadSide();
  static final List<KeyedReading> PUBLISHED = new CopyOnWriteArrayList<>();
  private static ActorSystem<Void> system;
  private static String base;
  private final HttpClient client = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    api = TestApi.start("api-routes-test", READ_SIDE, PUBLISHED);
    system = api.system();
    base = api.base();
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  private static String freshId() {
    return "sensor-" + UUID.randomUUID();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return get(path, READER);
  }

  private HttpResponse<String> get(String path, String token) throws Exception {
    return client.send(request(path, token).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path, String token, String body) throws Exception {
    return client.send(
        request(path, token).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpRequest.Builder request(String path, String token) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20));
    return token == null ? request : request.header("Authorization", "Bearer " + token);
  }

  /** What the ingest does: ask the entity, then publish the outputs its acknowledgement carries. */
  private static void record(String id, SourcedReading... readings) {
    RecordAck ack =
        ClusterSharding.get(system)
            .entityRefFor(TrackedEntity.typeKey("sensor"), id)
            .<RecordAck>ask(replyTo -> new RecordReadings(List.of(readings), replyTo), Duration.ofSeconds(10))
            .toCompletableFuture()
            .join();
    assertEquals(readings.length, ack.recorded());
    READ_SIDE.publish("sensor", id, ack.outputs()).toCompletableFuture().join();
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
    assertEquals(1, state.get("lastSeqNr").asLong(), "one command, one journal row: registered, the readings, the windows it closed");
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
    problem(post("/api/v1/entities/sensor/s1", READER, "{}"), 405);
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
  void pagesThroughEveryClosedWindowThoughTheEntityKeepsAThirdOfThem() throws Exception {
    String id = freshId();
    SourcedReading[] minutes = new SourcedReading[182];
    for (int i = 0; i < minutes.length; i++) {
      minutes[i] = reading(i, T0 + i * 60_000L, 20.0);
    }
    record(id, minutes);

    List<Long> starts = new java.util.ArrayList<>();
    String cursor = null;
    do {
      JsonNode page = JSON.readTree(get("/api/v1/entities/sensor/" + id + "/windows?spec=tumbling-60s&limit=50"
          + (cursor == null ? "" : "&cursor=" + cursor)).body());
      page.get("items").forEach(w -> starts.add(w.get("start").asLong()));
      cursor = page.get("next").isNull() ? null : page.get("next").asText();
    } while (cursor != null);

    assertEquals(180, starts.size(), "all 180 closed minutes, though the entity keeps only 60");
    for (int i = 0; i < starts.size(); i++) {
      assertEquals(T0 + (179 - i) * 60_000L, starts.get(i), "newest first, each once");
    }
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
    problem(get(base + "/windows?cursor=12"), 400);
    problem(get("/api/v1/entities/sensor/" + freshId() + "/windows"), 404);
  }

  @Test
  void answers401WithoutAKnownTokenAnd403WithTheWrongRole() throws Exception {
    String id = freshId();
    record(id, reading(0, T0, 20.0));
    String state = "/api/v1/entities/sensor/" + id;

    HttpResponse<String> none = get(state, null);
    problem(none, 401);
    assertEquals("Bearer realm=\"tidewatch\"", none.headers().firstValue("WWW-Authenticate").orElseThrow());
    problem(get(state, "not-a-token-of-this-node"), 401);
    problem(get(state, WRITER), 403);
    problem(get(state + "/journal", READER), 403);
    problem(get("/api/v1/cluster", AUDITOR), 403);
    problem(post("/api/v1/readings", READER, "[]"), 403);
    assertEquals(200, get(state, READER).statusCode());
  }

  @Test
  void streamsTheJournalAsNdjsonOldestFirstWithEveryEntryOfEveryCommand() throws Exception {
    String id = freshId();
    record(id, reading(0, T0 + 1_000, 20.0), reading(1, T0 + 2_000, 31.0), reading(2, T0 + 70_000, 23.5));
    record(id, reading(3, T0 + 71_000, 24.0));
    long lastSeqNr = JSON.readTree(get("/api/v1/entities/sensor/" + id).body()).get("lastSeqNr").asLong();

    HttpResponse<String> response = get("/api/v1/entities/sensor/" + id + "/journal", AUDITOR);

    assertEquals(200, response.statusCode(), response.body());
    assertEquals("application/x-ndjson", response.headers().firstValue("Content-Type").orElseThrow());
    assertEquals(2, lastSeqNr, "one journal row per command");
    List<JsonNode> lines = lines(response.body());
    List<JsonNode> first = lines.stream().filter(l -> l.get("seqNr").asLong() == 1).toList();
    List<JsonNode> second = lines.stream().filter(l -> l.get("seqNr").asLong() == 2).toList();
    assertEquals(lines.size(), first.size() + second.size());
    assertEquals(first, lines.subList(0, first.size()), "oldest first");
    for (int i = 0; i < first.size(); i++) {
      assertEquals(i + 1, first.get(i).get("part").asInt());
      assertEquals(first.size(), first.get(i).get("parts").asInt());
      assertEquals(first.get(0).get("timestamp"), first.get(i).get("timestamp"), "the entries of a row share its time");
    }
    assertEquals("EntityRegistered", first.get(0).get("type").asText());
    assertEquals("ReadingsRecorded", first.get(1).get("type").asText());
    assertEquals(3, first.get(1).get("event").get("readings").size(), "the readings up to the one whose watermark closes a window");
    assertTrue(first.stream().anyMatch(l -> l.get("type").asText().equals("WindowClosed")));
    assertTrue(first.stream().anyMatch(l -> l.get("type").asText().equals("AnomalyDetected")));
    assertEquals(List.of("ReadingsRecorded"), second.stream().map(l -> l.get("type").asText()).toList());
    assertFalse(second.get(0).has("part"), "a row of one entry is a plain line");

    List<JsonNode> page = lines(get("/api/v1/entities/sensor/" + id + "/journal?fromSeq=2&toSeq=2", AUDITOR).body());
    assertEquals(second, page);
  }

  /** By sequence number here; by time in EndToEndIT, as the in-memory journal does not keep write times. */
  @Test
  void rebuildsTheStateAsItWasAtASequenceNumber() throws Exception {
    String id = freshId();
    record(id, reading(0, T0 + 1_000, 20.0), reading(1, T0 + 2_000, 22.0));
    JsonNode then = JSON.readTree(get("/api/v1/entities/sensor/" + id).body());
    record(id, reading(2, T0 + 70_000, 23.5), reading(3, T0 + 71_000, 40.0));
    JsonNode now = JSON.readTree(get("/api/v1/entities/sensor/" + id).body());

    JsonNode bySeq =
        JSON.readTree(get("/api/v1/entities/sensor/" + id + "/state?asOfSeq=" + then.get("lastSeqNr").asLong(), AUDITOR).body());
    JsonNode latest =
        JSON.readTree(get("/api/v1/entities/sensor/" + id + "/state?asOfSeq=" + Long.MAX_VALUE, AUDITOR).body());

    assertEquals(then, bySeq);
    assertEquals(now, latest);
    problem(get("/api/v1/entities/sensor/" + id + "/state", AUDITOR), 400);
    problem(get("/api/v1/entities/sensor/" + id + "/state?asOfSeq=1&asOf=0", AUDITOR), 400);
    problem(get("/api/v1/entities/sensor/" + id + "/state?asOfSeq=-1", AUDITOR), 400);
    problem(get("/api/v1/entities/sensor/" + freshId() + "/state?asOfSeq=5", AUDITOR), 404);
    problem(get("/api/v1/entities/sensor/" + freshId() + "/journal", AUDITOR), 404);
  }

  @Test
  void acceptsPostedReadingsAsAnArrayOrNdjsonAndReportsEachRejectedOne() throws Exception {
    String id = freshId();
    String good = "{\"entityType\":\"sensor\",\"entityId\":\"" + id + "\",\"ts\":" + T0 + ",\"metrics\":{\"t\":1.5}}";
    int before = PUBLISHED.size();

    HttpResponse<String> array = post("/api/v1/readings", WRITER, "[" + good + ",{\"entityId\":\"x\"}," + good + "]");
    HttpResponse<String> ndjson = post("/api/v1/readings", WRITER, good + "\n\nnot json\n");

    assertEquals(202, array.statusCode(), array.body());
    JsonNode counts = JSON.readTree(array.body());
    assertEquals(2, counts.get("accepted").asInt());
    assertEquals(1, counts.get("rejected").asInt());
    assertEquals(1, counts.get("errors").get(0).get("index").asInt());
    assertTrue(!counts.get("errors").get(0).get("reason").asText().isBlank());
    assertEquals(202, ndjson.statusCode(), ndjson.body());
    assertEquals(1, JSON.readTree(ndjson.body()).get("accepted").asInt());
    assertEquals(1, JSON.readTree(ndjson.body()).get("rejected").asInt());
    List<KeyedReading> published = PUBLISHED.subList(before, PUBLISHED.size());
    assertEquals(3, published.size());
    assertTrue(published.stream().allMatch(r -> r.entityId().equals(id)));
    problem(post("/api/v1/readings", WRITER, ""), 400);
    problem(post("/api/v1/readings", WRITER, "[" + good + ","), 400);
    HttpResponse<String> nothingValid = post("/api/v1/readings", WRITER, "{{{");
    problem(nothingValid, 400);
    assertTrue(nothingValid.body().contains("item 0"), nothingValid.body());
    problem(post("/api/v1/readings", WRITER, "[{\"entityId\":\"x\"}]"), 400);
    assertEquals(before + 3, PUBLISHED.size());
    problem(post("/api/v1/readings", WRITER, "[" + good.repeat(1) + "," + (good + ",").repeat((int) (MAX_BODY / good.length())) + good + "]"), 413);
  }

  @Test
  void acceptsPostedDelimitedProtobufReadingsAndPassesThemOnAsProtobuf() throws Exception {
    Reading good = new Reading("sensor", freshId(), T0, Map.of("t", 1.5), null, Map.of());
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    ProtobufReadings.toMessage(good).writeDelimitedTo(body);
    ProtobufReadings.toMessage(good).toBuilder().clearTs().build().writeDelimitedTo(body);
    ProtobufReadings.toMessage(good).writeDelimitedTo(body);
    int before = PUBLISHED.size();

    HttpResponse<String> partly = postProtobuf(body.toByteArray());
    HttpResponse<String> cutShort = postProtobuf(new byte[] {0x05, 0x0A}); // says 5 bytes follow, 1 does

    assertEquals(202, partly.statusCode(), partly.body());
    JsonNode counts = JSON.readTree(partly.body());
    assertEquals(2, counts.get("accepted").asInt());
    assertEquals(1, counts.get("rejected").asInt());
    assertEquals(1, counts.get("errors").get(0).get("index").asInt());
    assertTrue(counts.get("errors").get(0).get("reason").asText().startsWith("missing ts"), partly.body());
    List<KeyedReading> published = List.copyOf(PUBLISHED.subList(before, PUBLISHED.size()));
    assertEquals(2, published.size());
    for (KeyedReading reading : published) {
      assertEquals(ReadingFormat.PROTOBUF, reading.format());
      assertArrayEquals(ProtobufReadings.encode(good), reading.value(), "the bytes as posted");
    }
    JsonNode nothingValid = problem(cutShort, 400);
    assertTrue(nothingValid.get("detail").asText().contains("item 0: the body cannot be cut"), cutShort.body());
    assertEquals(before + 2, PUBLISHED.size());
  }

  private HttpResponse<String> postProtobuf(byte[] body) throws Exception {
    return client.send(
        request("/api/v1/readings", WRITER)
            .header("Content-Type", "application/x-protobuf")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void tellsAKnownTokenItsRolesAndAnUnknownOneNothing() throws Exception {
    HttpResponse<String> reader = get("/api/v1/token", READER);
    HttpResponse<String> unknown = get("/api/v1/token", "not-a-token");

    assertEquals(200, reader.statusCode(), reader.body());
    assertEquals(List.of("reader"), texts(JSON.readTree(reader.body()).get("roles")));
    problem(unknown, 401);
    problem(get("/api/v1/token", null), 401);
  }

  @Test
  void servesTheDashboardWithItsChartLibraryFromTheJarCompressedWhenAsked() throws Exception {
    HttpResponse<String> page = get("/", null);
    HttpResponse<String> library = get("/vendor/echarts.min.js", null);
    HttpResponse<byte[]> gzipped = client.send(
        request("/vendor/echarts.min.js", null).header("Accept-Encoding", "gzip").GET().build(),
        HttpResponse.BodyHandlers.ofByteArray());

    assertEquals(200, page.statusCode());
    assertTrue(page.body().contains("<script src=\"vendor/echarts.min.js\">"), page.body());
    assertEquals(200, library.statusCode());
    assertTrue(library.body().contains("Apache License"), "the ECharts bundle with its licence header");
    assertEquals(200, gzipped.statusCode());
    assertEquals("gzip", gzipped.headers().firstValue("Content-Encoding").orElse(""));
    assertTrue(gzipped.body().length < library.body().length() / 2, "compressed: " + gzipped.body().length);
    assertEquals(200, get("/charts.js", null).statusCode());
  }

  @Test
  void anEntityIsListedOnceItRecordedItsFirstReading() throws Exception {
    String id = freshId();
    String before = id.substring(0, id.length() - 1); // sorts just before the id
    assertFalse(texts(JSON.readTree(get("/api/v1/entities/sensor?limit=1&after=" + before).body()).get("items"))
        .contains(id));

    record(id, reading(0, T0, 20.0));

    JsonNode page = JSON.readTree(get("/api/v1/entities/sensor?limit=1&after=" + before).body());
    assertEquals(List.of(id), texts(page.get("items")));
  }

  @Test
  void listsEntityIdsInPagesAndRecentAlertsNewestFirst() throws Exception {
    for (String id : List.of("user-c", "user-a", "user-b")) {
      READ_SIDE.register("user", id, 0);
    }
    long now = System.currentTimeMillis();
    READ_SIDE.alerts.clear(); // those other tests' entities raised
    READ_SIDE.alerts.add(alert("sensor-a:5", now - 2_000));
    READ_SIDE.alerts.add(alert("sensor-b:9", now - 1_000));

    JsonNode first = JSON.readTree(get("/api/v1/entities/user?limit=2").body());
    JsonNode second = JSON.readTree(get("/api/v1/entities/user?limit=2&after=" + first.get("next").asText()).body());
    JsonNode alerts = JSON.readTree(get("/api/v1/alerts?limit=1").body());
    JsonNode older = JSON.readTree(get("/api/v1/alerts?limit=1&cursor=" + alerts.get("next").asText()).body());

    assertEquals(List.of("user-a", "user-b"), texts(first.get("items")));
    assertEquals(List.of("user-c"), texts(second.get("items")));
    assertTrue(second.get("next").isNull());
    assertEquals("sensor-b:9", alerts.get("items").get(0).get("alertId").asText());
    assertEquals("sensor-a:5", older.get("items").get(0).get("alertId").asText());
    assertEquals(0, JSON.readTree(get("/api/v1/alerts?since=" + now).body()).get("items").size());
    problem(get("/api/v1/entities/robot"), 404);
    problem(get("/api/v1/entities/sensor?after=bad%20id"), 400);
    problem(get("/api/v1/alerts?cursor=nonsense"), 400);
    problem(get("/api/v1/alerts?since=soon"), 400);
  }

  @Test
  void streamsAnEntitysStateAndNewAlertsAsServerSentEvents() {
    // Reading a stream blocks: a regression must fail the test, not hang the build.
    assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
      String id = freshId();
      record(id, reading(0, T0, 20.0));
      try (var events = client.send(request("/api/v1/stream/entities/sensor/" + id, READER).GET().build(),
          HttpResponse.BodyHandlers.ofLines()).body()) {
        var lines = events.iterator();
        Map<String, String> first = nextEvent(lines);
        assertEquals("state", first.get("event"));
        assertEquals(1, JSON.readTree(first.get("data")).get("readings").asLong());
        record(id, reading(1, T0 + 1_000, 21.0));
        Map<String, String> second = nextEvent(lines);
        assertEquals(2, JSON.readTree(second.get("data")).get("readings").asLong());
        assertEquals(JSON.readTree(second.get("data")).get("lastSeqNr").asText(), second.get("id"));
      }
      try (var events = client.send(request("/api/v1/stream/alerts", READER).GET().build(),
          HttpResponse.BodyHandlers.ofLines()).body()) {
        var lines = events.iterator();
        READ_SIDE.alerts.add(alert(id + ":77", System.currentTimeMillis() + 1));
        Map<String, String> event = nextEvent(lines);
        assertEquals("alert", event.get("event"));
        assertEquals(id + ":77", JSON.readTree(event.get("data")).get("alertId").asText());
      }
      problem(get("/api/v1/stream/entities/sensor/" + freshId()), 404);
    });
  }

  @Test
  void servesTheIncidentsOfAnEntityAndTheOpenOnesOfAll() throws Exception {
    String id = freshId();
    record(id, reading(0, T0, 20.0), reading(1, T0 + 1_000, 31.0)); // |Δ| 11 against 5: critical

    JsonNode open = JSON.readTree(get("/api/v1/entities/sensor/" + id + "/incidents").body()).get("items");
    assertEquals(1, open.size());
    JsonNode incident = open.get(0);
    String incidentId = incident.get("incidentId").asText();
    assertEquals("open", incident.get("state").asText());
    assertEquals("critical", incident.get("severity").asText());
    assertEquals("delta", incident.get("rule").asText());
    assertEquals("temperature", incident.get("metric").asText());
    String alertId = JSON.readTree(get("/api/v1/entities/sensor/" + id + "/alerts").body())
        .get("items").get(0).get("alertId").asText();
    assertEquals(alertId, incident.get("alertId").asText(), "the hit that opened it");
    assertTrue(openIncidentIds().contains(incidentId));

    // Inside the recovery band (|Δ| <= 4) from 2 s, for the default keep-firing of 60 s.
    record(id, reading(2, T0 + 2_000, 31.0), reading(3, T0 + 62_000, 31.0));

    assertEquals(0, JSON.readTree(get("/api/v1/entities/sensor/" + id + "/incidents?state=open").body())
        .get("items").size());
    JsonNode resolved = JSON.readTree(get("/api/v1/entities/sensor/" + id + "/incidents?state=resolved").body())
        .get("items").get(0);
    assertEquals(incidentId, resolved.get("incidentId").asText());
    assertTrue(resolved.get("resolvedAt").asLong() >= resolved.get("openedAt").asLong());
    assertTrue(!openIncidentIds().contains(incidentId));

    problem(get("/api/v1/incidents?state=closed"), 400);
    problem(get("/api/v1/entities/sensor/" + id + "/incidents?state=maybe"), 400);
    problem(get("/api/v1/entities/sensor/" + id + "/incidents?cursor=someone-else:3"), 400);
    problem(get("/api/v1/entities/sensor/" + freshId() + "/incidents"), 404);
  }

  private java.util.Set<String> openIncidentIds() throws Exception {
    java.util.Set<String> ids = new java.util.HashSet<>();
    JSON.readTree(get("/api/v1/incidents?state=open&limit=1000").body()).get("items")
        .forEach(item -> ids.add(item.get("incidentId").asText()));
    return ids;
  }

  @Test
  void streamsIncidentTransitionsAsServerSentEvents() {
    assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
      String id = freshId();
      record(id, reading(0, T0, 20.0));
      try (var events = client.send(request("/api/v1/stream/incidents", READER).GET().build(),
          HttpResponse.BodyHandlers.ofLines()).body()) {
        var lines = events.iterator();
        record(id, reading(1, T0 + 1_000, 26.0), reading(2, T0 + 2_000, 40.0)); // warning, then critical
        List<String> seen = new ArrayList<>();
        while (seen.size() < 2) {
          Map<String, String> event = nextEvent(lines);
          JsonNode transition = JSON.readTree(event.get("data"));
          if (transition.get("entityId").asText().equals(id)) { // other tests' entities share the stream
            assertEquals("incident", event.get("event"));
            assertTrue(event.get("id").startsWith(transition.get("at").asText() + "."), event.get("id"));
            assertTrue(event.get("id").endsWith(":" + transition.get("transitionId").asText()), event.get("id"));
            seen.add(transition.get("transition").asText() + "/" + transition.get("severity").asText());
          }
        }
        assertEquals(List.of("opened/warning", "escalated/critical"), seen);
      }
    });
  }

  @Test
  void streamsABurstOfAlertsLargerThanOnePoll() {
    assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
      try (var events = client.send(request("/api/v1/stream/alerts", READER).GET().build(),
          HttpResponse.BodyHandlers.ofLines()).body()) {
        var lines = events.iterator();
        long now = System.currentTimeMillis() + 1;
        int burst = LiveRoutes.ROWS_PER_POLL + 100;
        for (int i = 0; i < burst; i++) {
          READ_SIDE.alerts.add(alert(String.format("burst-%05d:1", i), now));
        }
        java.util.Set<String> received = new java.util.HashSet<>();
        while (received.size() < burst) {
          String alertId = JSON.readTree(nextEvent(lines).get("data")).get("alertId").asText();
          assertTrue(alertId.startsWith("burst-"), alertId);
          assertTrue(received.add(alertId), "sent once: " + alertId);
        }
      }
    });
  }

  @Test
  void showsTheClusterAndItsShardsToOperators() throws Exception {
    String id = freshId();
    record(id, reading(0, T0, 20.0));

    JsonNode cluster = JSON.readTree(get("/api/v1/cluster", OPERATOR).body());
    JsonNode shards = JSON.readTree(get("/api/v1/cluster/shards", OPERATOR).body());

    String self = cluster.get("self").asText();
    assertEquals(1, cluster.get("members").size());
    assertEquals(self, cluster.get("members").get(0).get("address").asText());
    assertEquals("Up", cluster.get("members").get(0).get("status").asText());
    assertEquals(self, cluster.get("leader").asText());
    JsonNode sensors = null;
    for (JsonNode type : shards.get("types")) {
      if (type.get("type").asText().equals("sensor")) {
        sensors = type;
      }
    }
    assertTrue(sensors != null && sensors.get("nodes").get(0).get("entities").asLong() >= 1, shards.toString());
    problem(post("/api/v1/cluster/members/10.9.9.9:1/leave", OPERATOR, ""), 404);
    problem(post("/api/v1/cluster/members/" + java.net.URLEncoder.encode(self, java.nio.charset.StandardCharsets.UTF_8) + "/dance", OPERATOR, ""), 404);
  }

  private static AlertView alert(String alertId, long detectedAt) {
    return new AlertView(alertId, "sensor", alertId.substring(0, alertId.indexOf(':')), "delta", "t", 9, 1.0, 5, 0, detectedAt,
        Severity.WARNING);
  }

  /** The fields of the next server-sent event, skipping heartbeat comments. */
  private static Map<String, String> nextEvent(java.util.Iterator<String> lines) {
    Map<String, String> fields = new java.util.HashMap<>();
    while (lines.hasNext()) {
      String line = lines.next();
      if (line.isEmpty() && !fields.isEmpty()) {
        return fields;
      }
      int colon = line.indexOf(':');
      if (colon > 0) {
        fields.put(line.substring(0, colon), line.substring(colon + 1).trim());
      }
    }
    throw new AssertionError("the stream ended before the next event");
  }

  private static List<JsonNode> lines(String ndjson) throws Exception {
    List<JsonNode> lines = new java.util.ArrayList<>();
    for (String line : ndjson.split("\n")) {
      if (!line.isBlank()) {
        lines.add(JSON.readTree(line));
      }
    }
    return lines;
  }

  private static List<String> texts(JsonNode array) {
    List<String> texts = new java.util.ArrayList<>();
    array.forEach(n -> texts.add(n.asText()));
    return texts;
  }
}
