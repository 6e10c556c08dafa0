package io.tidewatch.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidewatch.http.ingest.ReadingsPublisher.KeyedReading;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The live configuration of entity types over HTTP (issue 19): read, change, refuse, list the versions. */
class TypeRoutesTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<KeyedReading> PUBLISHED = new CopyOnWriteArrayList<>();
  private static TestApi api;
  private final HttpClient client = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    api = TestApi.start("type-routes-test", new ListReadSide(), PUBLISHED);
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  private HttpResponse<String> send(String method, String path, String token, String body) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create(api.base() + "/api/v1" + path))
            .timeout(Duration.ofSeconds(20))
            .header("Authorization", "Bearer " + token)
            .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void anOperatorChangesTheRulesOfATypeAsANewVersionThatNamesWhoAndKeepsThePipeline() throws Exception {
    JsonNode before = JSON.readTree(send("GET", "/types/user/rules", TestApi.READER, null).body());
    HttpResponse<String> put = send("PUT", "/types/user/rules", TestApi.OPERATOR,
        "{\"anomalies\":[{\"rule\":\"range\",\"metrics\":[\"purchase\"],\"min\":0,\"max\":10000}],\"changedBy\":\"alice\"}");

    assertEquals(200, put.statusCode(), put.body());
    JsonNode changed = JSON.readTree(put.body());
    assertEquals(before.get("version").asInt() + 1, changed.get("version").asInt());
    assertEquals("rules", changed.get("change").asText());
    assertEquals("alice", changed.get("changedBy").asText());
    assertEquals("range", changed.at("/anomalies/0/rule").asText());
    assertEquals(before.get("pipeline"), changed.get("pipeline"));
    JsonNode read = JSON.readTree(send("GET", "/types/user/rules", TestApi.READER, null).body());
    assertEquals(changed, read);
    JsonNode versions = JSON.readTree(send("GET", "/types/user/versions", TestApi.READER, null).body());
    assertEquals(changed.get("version"), versions.at("/items/" + (versions.get("items").size() - 1) + "/version"));
    assertEquals("file", versions.at("/items/0/change").asText());
  }

  @Test
  void aPipelineThatDoesNotCompileIsA400NamingItsKeyAndChangesNothing() throws Exception {
    JsonNode before = JSON.readTree(send("GET", "/types/sensor/pipeline", TestApi.READER, null).body());
    HttpResponse<String> put = send("PUT", "/types/sensor/pipeline", TestApi.OPERATOR,
        "{\"pipeline\":[{\"derive\":\"x\",\"expr\":\"metrics.temperature *\"}]}");

    assertEquals(400, put.statusCode(), put.body());
    assertTrue(put.body().contains("pipeline[0].expr"), put.body());
    assertEquals(before, JSON.readTree(send("GET", "/types/sensor/pipeline", TestApi.READER, null).body()));
  }

  @Test
  void listsEachTypeWithItsWindowsAndItsCurrentVersion() throws Exception {
    JsonNode types = JSON.readTree(send("GET", "/types", TestApi.READER, null).body());
    assertEquals(2, types.get("items").size());
    assertEquals("sensor", types.at("/items/0/type").asText());
    assertTrue(types.at("/items/0/windows").size() >= 1);
    assertTrue(types.at("/items/0/current/version").asInt() >= 1);
  }

  @Test
  void badRequestsAreProblemsThatSayWhat() throws Exception {
    assertEquals(404, send("GET", "/types/meter/rules", TestApi.READER, null).statusCode());
    assertEquals(403, send("PUT", "/types/sensor/rules", TestApi.READER, "{\"anomalies\":[]}").statusCode());
    HttpResponse<String> notJson = send("PUT", "/types/sensor/rules", TestApi.OPERATOR, "{{{");
    assertEquals(400, notJson.statusCode());
    assertTrue(notJson.body().contains("not JSON"), notJson.body());
    HttpResponse<String> wrongShape = send("PUT", "/types/sensor/rules", TestApi.OPERATOR, "{\"rules\":[]}");
    assertEquals(400, wrongShape.statusCode());
    assertTrue(wrongShape.body().contains("anomalies"), wrongShape.body());
    HttpResponse<String> badRule = send("PUT", "/types/sensor/rules", TestApi.OPERATOR,
        "{\"anomalies\":[{\"rule\":\"delta\",\"metrics\":[\"temperature\"]}]}");
    assertEquals(400, badRule.statusCode());
    assertTrue(badRule.body().contains("anomalies[0]"), badRule.body());
  }
}
