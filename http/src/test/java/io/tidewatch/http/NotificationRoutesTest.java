package io.tidewatch.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidewatch.http.notify.FailedNotifications;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The operators' routes over dead-lettered notifications, on an in-memory list of them. */
class NotificationRoutesTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Map<String, FailedNotifications.Failed> FAILED =
      new ConcurrentSkipListMap<>(Comparator.reverseOrder());
  /** Receivers that take a resend; any other refuses it. */
  private static final List<String> FIXED = new CopyOnWriteArrayList<>();
  private static TestApi api;
  private final HttpClient client = HttpClient.newHttpClient();

  /** Ids of the form the notifier makes: newest first is reverse id order. */
  private static final class InMemory implements FailedNotifications {
    @Override
    public CompletionStage<List<Failed>> newestFirst(String after, int limit) {
      Map<String, Failed> from = after == null ? FAILED : ((ConcurrentSkipListMap<String, Failed>) FAILED).tailMap(after, false);
      return CompletableFuture.completedFuture(from.values().stream().limit(limit).toList());
    }

    @Override
    public CompletionStage<Optional<Resent>> resend(String id) {
      Failed f = FAILED.get(id);
      if (f == null) {
        return CompletableFuture.completedFuture(Optional.empty());
      }
      if (!FIXED.contains(f.receiver())) {
        return CompletableFuture.completedFuture(
            Optional.of(new Resent(id, f.receiver(), f.webhookId(), false, 400, "HTTP 400: still broken")));
      }
      FAILED.remove(id);
      return CompletableFuture.completedFuture(Optional.of(new Resent(id, f.receiver(), f.webhookId(), true, 204, "delivered")));
    }

    @Override
    public boolean isId(String id) {
      return id.matches("[0-9]{13}-.+");
    }
  }

  @BeforeAll
  static void start() {
    api = TestApi.start("notification-routes-test", new ListReadSide(), new CopyOnWriteArrayList<>(), new InMemory());
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  @BeforeEach
  void clear() {
    FAILED.clear();
    FIXED.clear();
  }

  private static void failed(long at, String receiver) {
    String id = at + "-" + receiver + "-tw_" + at;
    FAILED.put(id, new FailedNotifications.Failed(id, receiver, "tw_" + at, "entityType=sensor,rule=delta",
        List.of("sensor-1:" + at + ":opened"), 1, "HTTP 400: bad", at + 5));
  }

  private HttpResponse<String> send(String method, String path, String token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(api.base() + path)).timeout(Duration.ofSeconds(20))
        .method(method, HttpRequest.BodyPublishers.noBody());
    return client.send(request.header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode ok(HttpResponse<String> response) throws Exception {
    assertEquals(200, response.statusCode(), response.body());
    return JSON.readTree(response.body());
  }

  @Test
  void listsFailedNotificationsNewestFirstInPages() throws Exception {
    failed(1_700_000_001_000L, "ops");
    failed(1_700_000_003_000L, "ops");
    failed(1_700_000_002_000L, "pager");

    JsonNode first = ok(send("GET", "/api/v1/notifications/failed?limit=2", TestApi.OPERATOR));
    assertEquals(List.of("1700000003000-ops-tw_1700000003000", "1700000002000-pager-tw_1700000002000"),
        ids(first.get("items")));
    assertEquals("pager", first.get("items").get(1).get("receiver").asText());
    assertEquals("HTTP 400: bad", first.get("items").get(1).get("reason").asText());
    assertEquals("sensor-1:1700000002000:opened", first.get("items").get(1).get("transitionIds").get(0).asText());

    JsonNode second = ok(send("GET", "/api/v1/notifications/failed?limit=2&after=" + first.get("next").asText(),
        TestApi.OPERATOR));
    assertEquals(List.of("1700000001000-ops-tw_1700000001000"), ids(second.get("items")));
    assertTrue(second.get("next").isNull());
  }

  @Test
  void resendsAFailedNotificationAndNoLongerListsItOnceDelivered() throws Exception {
    failed(1_700_000_001_000L, "ops");
    FIXED.add("ops");

    JsonNode resent = ok(send("POST", "/api/v1/notifications/failed/1700000001000-ops-tw_1700000001000/resend",
        TestApi.OPERATOR));

    assertTrue(resent.get("delivered").asBoolean());
    assertEquals(204, resent.get("status").asInt());
    assertEquals(0, ok(send("GET", "/api/v1/notifications/failed", TestApi.OPERATOR)).get("items").size());
  }

  @Test
  void answers502AndKeepsItListedWhenTheReceiverStillRefuses() throws Exception {
    failed(1_700_000_001_000L, "ops");

    HttpResponse<String> response =
        send("POST", "/api/v1/notifications/failed/1700000001000-ops-tw_1700000001000/resend", TestApi.OPERATOR);

    assertEquals(502, response.statusCode(), response.body());
    assertTrue(JSON.readTree(response.body()).get("detail").asText().contains("HTTP 400: still broken"), response.body());
    assertEquals(1, ok(send("GET", "/api/v1/notifications/failed", TestApi.OPERATOR)).get("items").size());
  }

  @Test
  void answers404ForAnUnknownId() throws Exception {
    assertEquals(404, send("POST", "/api/v1/notifications/failed/1700000009000-ops-tw_x/resend", TestApi.OPERATOR).statusCode());
    assertEquals(404, send("POST", "/api/v1/notifications/failed/not-an-id/resend", TestApi.OPERATOR).statusCode());
  }

  @Test
  void answers400ForAnAfterThatIsNoId() throws Exception {
    assertEquals(400, send("GET", "/api/v1/notifications/failed?after=yesterday", TestApi.OPERATOR).statusCode());
  }

  @Test
  void forbidsReadersBothRoutes() throws Exception {
    failed(1_700_000_001_000L, "ops");
    FIXED.add("ops");

    assertEquals(403, send("GET", "/api/v1/notifications/failed", TestApi.READER).statusCode());
    assertEquals(403, send("POST", "/api/v1/notifications/failed/1700000001000-ops-tw_1700000001000/resend",
        TestApi.READER).statusCode());
    assertEquals(1, FAILED.size(), "a forbidden resend sends nothing");
  }

  private static List<String> ids(JsonNode items) {
    List<String> ids = new java.util.ArrayList<>();
    items.forEach(i -> ids.add(i.get("id").asText()));
    return ids;
  }
}
