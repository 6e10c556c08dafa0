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

class PipelineRoutesTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<KeyedReading> PUBLISHED = new CopyOnWriteArrayList<>();
  private static TestApi api;
  private final HttpClient client = HttpClient.newHttpClient();

  private static final String PIPELINE = """
      [ {"drop-if": "metrics.temperature > 300.0", "action": "dead-letter"},
        {"drop-if": "attrs.site == 'lab'", "action": "filter"},
        {"convert": "temperature", "from": "degF", "to": "degC"},
        {"derive": "humidity_ratio", "expr": "metrics.humidity / 100.0"},
        {"drop-metrics": ["raw"]} ]""";

  @BeforeAll
  static void start() {
    api = TestApi.start("pipeline-routes-test", new ListReadSide(), PUBLISHED);
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  private static String reading(String id, String metrics, String site) {
    return "{\"entityType\":\"sensor\",\"entityId\":\"" + id + "\",\"ts\":1700000000123,\"metrics\":" + metrics
        + ",\"attrs\":{\"site\":\"" + site + "\"}}";
  }

  private HttpResponse<String> dryRun(String type, String token, String body) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create(api.base() + "/api/v1/types/" + type + "/pipeline/dry-run"))
            .timeout(Duration.ofSeconds(20))
            .header("Authorization", "Bearer " + token)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void answersWhatEachReadingBecomesWithoutTouchingAnyEntity() throws Exception {
    String body = "{\"pipeline\":" + PIPELINE + ",\"readings\":["
        + reading("s-1", "{\"temperature\":212,\"humidity\":40,\"raw\":7}", "plant-1") + ","
        + reading("s-2", "{\"temperature\":400,\"humidity\":40}", "plant-1") + ","
        + reading("s-3", "{\"temperature\":50,\"humidity\":40}", "lab") + ","
        + reading("s-4", "{\"temperature\":50}", "plant-1") + ","
        + "{\"entityId\":\"nope\"}]}";

    HttpResponse<String> response = dryRun("sensor", TestApi.OPERATOR, body);

    assertEquals(200, response.statusCode(), response.body());
    JsonNode items = JSON.readTree(response.body()).get("items");
    assertEquals(5, items.size());
    assertEquals("kept", items.get(0).get("result").asText());
    JsonNode kept = items.get(0).get("reading").get("metrics");
    assertEquals(100.0, kept.get("temperature").asDouble(), 1e-9);
    assertEquals(0.4, kept.get("humidity_ratio").asDouble(), 1e-9);
    assertTrue(kept.get("raw") == null, kept.toString());
    assertEquals("dead-letter", items.get(1).get("result").asText());
    assertTrue(items.get(1).get("reason").asText().contains("\"metrics.temperature > 300.0\" matched"));
    assertEquals("filtered", items.get(2).get("result").asText());
    assertEquals("dead-letter", items.get(3).get("result").asText());
    assertTrue(items.get(3).get("reason").asText().contains("3:derive"), items.get(3).toString());
    assertEquals("dead-letter", items.get(4).get("result").asText());
    assertEquals(4, items.get(4).get("index").asInt());
    assertTrue(PUBLISHED.isEmpty(), "a dry run publishes nothing");
    HttpResponse<String> entity = client.send(
        HttpRequest.newBuilder(URI.create(api.base() + "/api/v1/entities/sensor/s-1"))
            .header("Authorization", "Bearer " + TestApi.READER).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(404, entity.statusCode(), "a dry run records nothing: " + entity.body());
  }

  @Test
  void usesTheTypesConfiguredPipelineWhenNoneIsProposed() throws Exception {
    HttpResponse<String> response = dryRun(
        "sensor", TestApi.OPERATOR, "{\"readings\":[" + reading("s-5", "{\"temperature\":212}", "x") + "]}");

    assertEquals(200, response.statusCode(), response.body());
    JsonNode item = JSON.readTree(response.body()).get("items").get(0);
    assertEquals("kept", item.get("result").asText());
    assertEquals(212.0, item.get("reading").get("metrics").get("temperature").asDouble(), 1e-9);
  }

  @Test
  void answers400WithTheExpressionPositionAndReasonForAPipelineThatDoesNotCompile() throws Exception {
    HttpResponse<String> response = dryRun(
        "sensor", TestApi.OPERATOR, "{\"pipeline\":[{\"drop-if\":\"metrics.t > nope\"}],\"readings\":[]}");

    assertEquals(400, response.statusCode(), response.body());
    String detail = JSON.readTree(response.body()).get("detail").asText();
    assertTrue(detail.startsWith("pipeline[0].drop-if: expression \"metrics.t > nope\" at line 1, column 13: "), detail);
    assertTrue(detail.contains("undeclared reference to 'nope'"), detail);
  }

  @Test
  void isForOperatorsAndKnownTypesOnly() throws Exception {
    assertEquals(403, dryRun("sensor", TestApi.WRITER, "{\"readings\":[]}").statusCode());
    assertEquals(404, dryRun("boat", TestApi.OPERATOR, "{\"readings\":[]}").statusCode());
    assertEquals(400, dryRun("sensor", TestApi.OPERATOR, "{\"pipeline\":[]}").statusCode());
  }
}
