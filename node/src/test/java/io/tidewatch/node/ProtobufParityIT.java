package io.tidewatch.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tidewatch.deploy.FreePorts;
import io.tidewatch.deploy.LocalInfra;
import io.tidewatch.node.simulate.ReadingRecords;
import io.tidewatch.protocol.ProtobufReadings;
import io.tidewatch.protocol.Reading;
import io.tidewatch.protocol.ReadingFormat;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 19's parity: the same readings sent as JSON and as protobuf leave the same journal, on a node over real Kafka
 * and Cassandra. Three sensors get the same readings: one as a posted JSON array, one as posted length-delimited
 * protobuf (which the node produces on with the content-type header), one as protobuf records produced straight to
 * the input topic without a header (told by their first byte). Their journals must agree in everything but what
 * names the entity or the place and time of processing (ids, offsets, partitions, sequence numbers, wall clock).
 */
class ProtobufParityIT {

  private static final long T0 = 1_700_000_040_000L;
  private static final String TOKEN = "parity-it-token-with-every-role";
  private static final Duration PATIENCE = Duration.ofSeconds(90);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Fields that name the entity, or say where and when it was processed: they differ between the three. */
  private static final Set<String> PLACE_AND_TIME =
      Set.of("partition", "offset", "alertId", "incidentId", "detectedAt", "at", "openedAt", "firstSeenMs");

  private static LocalInfra infra;
  private static ActorSystem<Void> node;
  private static String api;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    infra = LocalInfra.start(
        Files.createTempDirectory("tidewatch-parity-it"), LocalInfra.Ports.free(), LocalInfra.DEFAULT_TOPICS);
    int httpPort = FreePorts.next();
    node = TestNodes.start(infra, Map.of(
        "tidewatch.http.port", httpPort,
        "tidewatch.http.tokens", TOKEN + "=reader+writer+auditor",
        "pekko.management.http.port", FreePorts.next()));
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

  /**
   * Two minutes of one sensor: windows close, a jump of 15 raises alerts and an incident, some readings carry an
   * event and attributes, and one comes too late for its window.
   */
  private static List<Reading> readings(String id) {
    List<Reading> readings = new ArrayList<>();
    for (int i = 0; i < 120; i++) {
      double temperature = i == 50 ? 35.25 : 20 + (i % 10) * 0.1;
      readings.add(new Reading(
          "sensor", id, T0 + i * 1_000L + (i % 7) * 13, Map.of("temperature", temperature, "humidity", 40.5 + i % 3),
          i % 5 == 0 ? "reading" : null, i % 4 == 0 ? Map.of("site", "plant-" + i % 3) : Map.of()));
      if (i == 100) {
        readings.add(new Reading("sensor", id, T0 + 30_000, Map.of("temperature", 19.75), null, Map.of()));
      }
    }
    return readings;
  }

  private HttpResponse<String> post(String contentType, byte[] body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(api + "/readings"))
            .header("Authorization", "Bearer " + TOKEN)
            .header("Content-Type", contentType)
            .timeout(Duration.ofSeconds(30))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode get(String path) throws Exception {
    HttpResponse<String> response = http.send(
        HttpRequest.newBuilder(URI.create(api + path)).header("Authorization", "Bearer " + TOKEN).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), path + ": " + response.body());
    return JSON.readTree(response.body());
  }

  private List<JsonNode> journal(String id) throws Exception {
    List<JsonNode> lines = new ArrayList<>();
    try (Stream<String> body = http.send(
            HttpRequest.newBuilder(URI.create(api + "/entities/sensor/" + id + "/journal"))
                .header("Authorization", "Bearer " + TOKEN)
                .build(),
            HttpResponse.BodyHandlers.ofLines())
        .body()) {
      for (Iterator<String> it = body.iterator(); it.hasNext(); ) {
        lines.add(JSON.readTree(it.next()));
      }
    }
    return lines;
  }

  /**
   * The journal's entries by type, each type in journal order, the recorded readings one by one under
   * {@code "reading"}, without {@link #PLACE_AND_TIME}. How readings were cut into commands and rows, and so where
   * the other entries fall between them, depends on how the ingest batched them, not on their format: that is left
   * out.
   */
  private static Map<String, List<JsonNode>> history(List<JsonNode> journal) {
    Map<String, List<JsonNode>> history = new TreeMap<>();
    for (JsonNode line : journal) {
      String type = line.get("type").asText();
      JsonNode event = withoutPlaceAndTime(line.get("event"));
      if (type.equals("ReadingsRecorded")) {
        event.get("readings").forEach(history.computeIfAbsent("reading", t -> new ArrayList<>())::add);
      } else {
        history.computeIfAbsent(type, t -> new ArrayList<>()).add(event);
      }
    }
    return history;
  }

  private static JsonNode withoutPlaceAndTime(JsonNode node) {
    JsonNode copy = node.deepCopy();
    strip(copy);
    return copy;
  }

  private static void strip(JsonNode node) {
    if (node instanceof ObjectNode object) {
      object.remove(PLACE_AND_TIME);
    }
    node.forEach(ProtobufParityIT::strip);
  }

  private static int count(Map<String, List<JsonNode>> history, String type) {
    return history.getOrDefault(type, List.of()).size();
  }

  /** The entity's state but for its id and how many rows its journal took. */
  private JsonNode state(String id) throws Exception {
    ObjectNode state = (ObjectNode) withoutPlaceAndTime(get("/entities/sensor/" + id));
    state.remove(List.of("entityId", "lastSeqNr"));
    return state;
  }

  @Test
  void theSameReadingsAsJsonOrProtobufLeaveTheSameJournal() throws Exception {
    String asJson = "parity-json";
    String asPostedProtobuf = "parity-protobuf-posted";
    String asProducedProtobuf = "parity-protobuf-produced";
    List<Reading> readings = readings(asJson);
    List<String> json = new ArrayList<>();
    ByteArrayOutputStream delimited = new ByteArrayOutputStream();
    for (Reading r : readings(asJson)) {
      json.add(new String(ReadingRecords.value(r, ReadingFormat.JSON), StandardCharsets.UTF_8));
    }
    for (Reading r : readings(asPostedProtobuf)) {
      ProtobufReadings.toMessage(r).writeDelimitedTo(delimited);
    }

    HttpResponse<String> postedJson = post("application/json", ("[" + String.join(",", json) + "]").getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> postedProtobuf = post("application/x-protobuf", delimited.toByteArray());
    try (var producer = new KafkaProducer<>(
        Map.<String, Object>of("bootstrap.servers", infra.kafkaBootstrapServers(), "acks", "all"),
        new StringSerializer(), new ByteArraySerializer())) {
      for (Reading r : readings(asProducedProtobuf)) { // no header: the first byte tells protobuf from JSON
        producer.send(new ProducerRecord<>("tidewatch.readings", r.entityId(), ProtobufReadings.encode(r))).get();
      }
    }

    assertEquals(202, postedJson.statusCode(), postedJson.body());
    assertEquals(202, postedProtobuf.statusCode(), postedProtobuf.body());
    assertEquals(readings.size(), JSON.readTree(postedProtobuf.body()).get("accepted").asInt());
    List<Map<String, List<JsonNode>>> histories = new ArrayList<>();
    List<JsonNode> states = new ArrayList<>();
    for (String id : List.of(asJson, asPostedProtobuf, asProducedProtobuf)) {
      TestProbe.create(node).awaitAssert(PATIENCE, Duration.ofMillis(250), () -> {
        assertEquals(readings.size(), get("/entities/sensor/" + id).get("readings").asLong(), id);
        return null;
      });
      histories.add(history(journal(id)));
      states.add(state(id));
    }
    Map<String, List<JsonNode>> expected = histories.get(0);
    assertEquals(readings.size(), count(expected, "reading"));
    assertTrue(count(expected, "WindowClosed") >= 2, "windows closed: " + count(expected, "WindowClosed"));
    assertTrue(count(expected, "AnomalyDetected") >= 1, "the jump raised an alert");
    assertTrue(count(expected, "IncidentChanged") >= 1, "and an incident");
    assertEquals(1, states.get(0).get("lateReadings").asLong());
    assertEquals(expected, histories.get(1), "posted as protobuf");
    assertEquals(expected, histories.get(2), "produced as protobuf without a header");
    assertEquals(states.get(0), states.get(1), "posted as protobuf");
    assertEquals(states.get(0), states.get(2), "produced as protobuf without a header");
  }
}
