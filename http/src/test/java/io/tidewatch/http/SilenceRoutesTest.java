package io.tidewatch.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The operators' silence routes over real HTTP, on the real silences entity (sharded, in-memory journal). The entity
 * is shared by the tests, so each one matches on an entity id of its own.
 */
class SilenceRoutesTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static TestApi api;
  private final HttpClient client = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    api = TestApi.start("silence-routes-test", new ListReadSide(), new CopyOnWriteArrayList<>());
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  private HttpResponse<String> send(String method, String path, String body, String token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(api.base() + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .header("Content-Type", "application/json");
    return client.send(request.header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String entity() {
    return "sensor-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static String body(String entityId, Object endsAt) {
    return """
        {"matchers":{"entityId":"%s","rule":"delta"},"endsAt":%s,"comment":"pump swap","createdBy":"ana"}
        """.formatted(entityId, endsAt instanceof String s ? "\"" + s + "\"" : endsAt);
  }

  private JsonNode create(String body) throws Exception {
    HttpResponse<String> response = send("POST", "/api/v1/silences", body, TestApi.OPERATOR);
    assertEquals(201, response.statusCode(), response.body());
    return JSON.readTree(response.body());
  }

  private List<String> listedIds(String query) throws Exception {
    HttpResponse<String> response = send("GET", "/api/v1/silences" + query, null, TestApi.OPERATOR);
    assertEquals(200, response.statusCode(), response.body());
    List<String> ids = new ArrayList<>();
    JSON.readTree(response.body()).get("items").forEach(item -> ids.add(item.get("id").asText()));
    return ids;
  }

  @Test
  void createsAnActiveSilenceEndingWhenTold() throws Exception {
    String entityId = entity();
    Instant endsAt = Instant.now().plusSeconds(3600);

    JsonNode created = create(body(entityId, endsAt.toString()));

    assertEquals(entityId, created.get("matchers").get("entityId").asText());
    assertEquals("delta", created.get("matchers").get("rule").asText());
    assertTrue(created.get("matchers").get("severity").isNull(), created.toString());
    assertEquals(endsAt.toEpochMilli(), created.get("endsAt").asLong());
    assertEquals("active", created.get("state").asText());
    assertEquals("pump swap", created.get("comment").asText());
    assertEquals("ana", created.get("createdBy").asText());
    assertTrue(listedIds("?state=active").contains(created.get("id").asText()));
    assertTrue(listedIds("").contains(created.get("id").asText()), "all by default");
  }

  @Test
  void expiresASilenceNowOnDelete() throws Exception {
    JsonNode created = create(body(entity(), System.currentTimeMillis() + 3_600_000));
    String id = created.get("id").asText();

    HttpResponse<String> deleted = send("DELETE", "/api/v1/silences/" + id, null, TestApi.OPERATOR);

    assertEquals(200, deleted.statusCode(), deleted.body());
    JsonNode expired = JSON.readTree(deleted.body());
    assertEquals("expired", expired.get("state").asText());
    assertTrue(expired.get("endsAt").asLong() <= System.currentTimeMillis());
    assertTrue(listedIds("?state=expired").contains(id));
    assertTrue(!listedIds("?state=active").contains(id));
    assertEquals(200, send("DELETE", "/api/v1/silences/" + id, null, TestApi.OPERATOR).statusCode(), "idempotent");
  }

  @Test
  void answers404ForExpiringAnUnknownSilence() throws Exception {
    HttpResponse<String> response = send("DELETE", "/api/v1/silences/no-such-silence", null, TestApi.OPERATOR);

    assertEquals(404, response.statusCode(), response.body());
    assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));
    assertTrue(JSON.readTree(response.body()).get("detail").asText().contains("no-such-silence"), response.body());
  }

  @Test
  void refusesBadSilencesWith400SayingWhy() throws Exception {
    String future = "\"" + Instant.now().plusSeconds(600) + "\"";
    List<String[]> cases = List.of(
        new String[] {"not json", "not JSON"},
        new String[] {"[]", "JSON object"},
        new String[] {"{\"matchers\":{},\"endsAt\":" + future + ",\"comment\":\"c\",\"createdBy\":\"b\"}", "at least one matcher"},
        new String[] {"{\"matchers\":{\"metric\":\"rpm\"},\"endsAt\":" + future + ",\"comment\":\"c\",\"createdBy\":\"b\"}",
            "unknown matcher 'metric'"},
        new String[] {"{\"matchers\":{\"severity\":\"fatal\"},\"endsAt\":" + future + ",\"comment\":\"c\",\"createdBy\":\"b\"}",
            "unknown severity 'fatal'"},
        new String[] {"{\"matchers\":{\"rule\":\"delta\"},\"endsAt\":\"2001-01-01T00:00:00Z\",\"comment\":\"c\",\"createdBy\":\"b\"}",
            "endsAt must be in the future"},
        new String[] {"{\"matchers\":{\"rule\":\"delta\"},\"endsAt\":\"tomorrow\",\"comment\":\"c\",\"createdBy\":\"b\"}",
            "ISO-8601"},
        new String[] {"{\"matchers\":{\"rule\":\"delta\"},\"comment\":\"c\",\"createdBy\":\"b\"}", "endsAt is missing"},
        new String[] {"{\"matchers\":{\"rule\":\"delta\"},\"endsAt\":" + future + ",\"createdBy\":\"b\"}", "comment is required"},
        new String[] {"{\"matchers\":{\"entityId\":\"a b\"},\"endsAt\":" + future + ",\"comment\":\"c\",\"createdBy\":\"b\"}",
            "matchers.entityId"});
    for (String[] c : cases) {
      HttpResponse<String> response = send("POST", "/api/v1/silences", c[0], TestApi.OPERATOR);

      assertEquals(400, response.statusCode(), c[0] + " -> " + response.body());
      String detail = JSON.readTree(response.body()).get("detail").asText();
      assertTrue(detail.contains(c[1]), c[0] + " -> " + detail);
    }
    HttpResponse<String> badState = send("GET", "/api/v1/silences?state=pending", null, TestApi.OPERATOR);
    assertEquals(400, badState.statusCode(), badState.body());
  }

  @Test
  void letsOnlyOperatorsSeeOrChangeSilences() throws Exception {
    String body = body(entity(), System.currentTimeMillis() + 60_000);

    assertEquals(403, send("POST", "/api/v1/silences", body, TestApi.READER).statusCode());
    assertEquals(403, send("GET", "/api/v1/silences", null, TestApi.WRITER).statusCode());
    assertEquals(403, send("DELETE", "/api/v1/silences/x", null, TestApi.AUDITOR).statusCode());
    assertEquals(401, send("GET", "/api/v1/silences", null, "no-such-token-0123456789").statusCode());
  }
}
