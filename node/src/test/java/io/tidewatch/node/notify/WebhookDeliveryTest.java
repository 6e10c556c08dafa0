package io.tidewatch.node.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Delivery against a real HTTP server (the JDK's) that answers from a script, one answer per request: what is
 * retried, when, and what is dead-lettered at once.
 */
class WebhookDeliveryTest {

  private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  private static final Duration TIMEOUT = Duration.ofMillis(500);
  private static ActorTestKit kit;

  /** One scripted answer: a status, a body, headers, and how long to take before answering. */
  private record Answer(int status, String body, Map<String, String> headers, Duration delay) {
    static Answer of(int status) {
      return new Answer(status, "", Map.of(), Duration.ZERO);
    }
  }

  private record Received(long atNanos, String webhookId, String timestamp, String signature, String body) {}

  private final ConcurrentLinkedQueue<Answer> script = new ConcurrentLinkedQueue<>();
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private HttpServer server;
  private Receiver receiver;
  private WebhookDelivery delivery;

  @BeforeAll
  static void startKit() {
    kit = ActorTestKit.create("webhook-delivery-test");
  }

  @AfterAll
  static void stopKit() {
    kit.shutdownTestKit();
  }

  @BeforeEach
  void startReceiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext("/hook", this::answer);
    server.start();
    receiver = new Receiver("ops", URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook"),
        WebhookSigner.fromSecret(SECRET), Set.of(), Set.of(), Set.of());
    delivery = delivery(5);
  }

  @AfterEach
  void stopReceiver() {
    server.stop(0);
  }

  private WebhookDelivery delivery(int maxAttempts) {
    NotifySettings.Retry retry = new NotifySettings.Retry(Duration.ofMillis(50), Duration.ofSeconds(5), maxAttempts, 0.2);
    return new WebhookDelivery(kit.system(), HttpClient.newHttpClient(), TIMEOUT, retry,
        new NotifierMetrics(registry, List.of(receiver)), Clock.systemUTC());
  }

  private void answer(HttpExchange exchange) throws IOException {
    byte[] body = exchange.getRequestBody().readAllBytes();
    var h = exchange.getRequestHeaders();
    received.add(new Received(System.nanoTime(), h.getFirst("webhook-id"), h.getFirst("webhook-timestamp"),
        h.getFirst("webhook-signature"), new String(body, StandardCharsets.UTF_8)));
    Answer answer = script.isEmpty() ? Answer.of(200) : script.poll();
    try {
      Thread.sleep(answer.delay().toMillis()); // the receiver being slow is what this answer tests
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    answer.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
    byte[] out = answer.body().getBytes(StandardCharsets.UTF_8);
    try {
      exchange.sendResponseHeaders(answer.status(), out.length == 0 ? -1 : out.length);
      if (out.length > 0) {
        exchange.getResponseBody().write(out);
      }
    } catch (IOException clientGone) {
      // the notifier timed out and closed the connection
    } finally {
      exchange.close();
    }
  }

  private static Notification notification() {
    return new Notification("tw_0123456789abcdef0123456789abcdef", "ops", "entityType=sensor,rule=delta",
        List.of("sensor-1:1:opened"), "{\"groupKey\":\"entityType=sensor,rule=delta\",\"transitions\":[]}",
        System.currentTimeMillis());
  }

  private WebhookDelivery.Outcome deliver() throws Exception {
    return delivery.deliver(receiver, notification()).toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private double count(String outcome) {
    return registry.get("tidewatch.notifications." + outcome).tag("receiver", "ops").counter().count();
  }

  @Test
  void retriesAServerErrorAndDeliversWhenTheReceiverRecovers() throws Exception {
    script.add(Answer.of(500));
    script.add(Answer.of(200));

    WebhookDelivery.Outcome outcome = deliver();

    assertEquals(new WebhookDelivery.Delivered(2, 200), outcome);
    assertEquals(2, received.size());
    assertEquals(received.get(0).webhookId(), received.get(1).webhookId(), "a retry keeps its idempotency key");
    assertEquals(1, count("retried"));
    assertEquals(1, count("delivered"));
    assertEquals(1, registry.get("tidewatch.notification.latency").timer().count());
  }

  @Test
  void signsEachAttemptSoTheReceiverCanVerifyIt() throws Exception {
    deliver();

    Received r = received.get(0);
    assertEquals(WebhookSigner.fromSecret(SECRET).sign(r.webhookId(), Long.parseLong(r.timestamp()), r.body()),
        r.signature());
    assertEquals(notification().body(), r.body());
  }

  @Test
  void waitsAsLongAsRetryAfterSaysOnA429() throws Exception {
    script.add(new Answer(429, "slow down", Map.of("Retry-After", "2"), Duration.ZERO));

    WebhookDelivery.Outcome outcome = deliver();

    assertEquals(new WebhookDelivery.Delivered(2, 200), outcome);
    long waitedMs = TimeUnit.NANOSECONDS.toMillis(received.get(1).atNanos() - received.get(0).atNanos());
    assertTrue(waitedMs >= 1_900, "waited " + waitedMs + " ms, not the 2 s of Retry-After (backoff alone: 50 ms)");
  }

  @Test
  void readsRetryAfterAsSecondsOrAnHttpDate() {
    assertEquals(Duration.ofSeconds(7), delivery.retryAfter("7"));
    String inTenSeconds = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now().plusSeconds(10));
    Duration untilDate = delivery.retryAfter(inTenSeconds);
    assertTrue(untilDate.compareTo(Duration.ofSeconds(8)) > 0 && untilDate.compareTo(Duration.ofSeconds(11)) < 0,
        untilDate.toString());
    assertEquals(null, delivery.retryAfter("soon"));
  }

  @Test
  void deadLettersAClientErrorAtOnceWithTheStatusAndTheAnswer() throws Exception {
    script.add(new Answer(400, "{\"error\":\"unknown field groupKey\"}", Map.of(), Duration.ZERO));

    WebhookDelivery.Outcome outcome = deliver();

    WebhookDelivery.DeadLettered dead = assertInstanceOf(WebhookDelivery.DeadLettered.class, outcome);
    assertEquals(1, dead.attempts());
    assertEquals(400, dead.status());
    assertEquals("HTTP 400: {\"error\":\"unknown field groupKey\"}", dead.reason());
    assertEquals(1, received.size(), "never retried");
    assertEquals(1, count("dead.lettered"));
    assertEquals(0, count("retried"));
  }

  @Test
  void retriesAReceiverThatAnswersTooLate() throws Exception {
    script.add(new Answer(200, "", Map.of(), TIMEOUT.multipliedBy(3)));

    WebhookDelivery.Outcome outcome = deliver();

    assertEquals(new WebhookDelivery.Delivered(2, 200), outcome);
    assertEquals(1, count("retried"));
  }

  @Test
  void deadLettersWithTheLastReasonOnceTheAttemptsAreSpent() throws Exception {
    delivery = delivery(3);
    for (int i = 0; i < 3; i++) {
      script.add(new Answer(503, "down for maintenance", Map.of(), Duration.ZERO));
    }

    WebhookDelivery.Outcome outcome = deliver();

    WebhookDelivery.DeadLettered dead = assertInstanceOf(WebhookDelivery.DeadLettered.class, outcome);
    assertEquals(3, dead.attempts());
    assertEquals("gave up after 3 attempts: HTTP 503: down for maintenance", dead.reason());
    assertEquals(3, received.size());
    assertEquals(2, count("retried"));
  }

  @Test
  void retriesWhenNothingListens() throws Exception {
    server.stop(0);
    delivery = delivery(2);

    WebhookDelivery.Outcome outcome = deliver();

    WebhookDelivery.DeadLettered dead = assertInstanceOf(WebhookDelivery.DeadLettered.class, outcome);
    assertEquals(2, dead.attempts());
    assertTrue(dead.reason().startsWith("gave up after 2 attempts: connection failed"), dead.reason());
  }

  @Test
  void backsOffExponentiallyUpToTheMaximum() {
    assertTrue(delivery.backoff(1).toMillis() >= 50 && delivery.backoff(1).toMillis() <= 60);
    assertTrue(delivery.backoff(3).toMillis() >= 200 && delivery.backoff(3).toMillis() <= 240);
    assertEquals(Duration.ofSeconds(5), delivery.backoff(20));
  }
}
