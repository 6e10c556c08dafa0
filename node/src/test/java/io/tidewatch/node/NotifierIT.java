package io.tidewatch.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.tidewatch.deploy.FreePorts;
import io.tidewatch.deploy.LocalInfra;
import io.tidewatch.node.notify.WebhookSigner;
import io.tidewatch.protocol.IncidentTransition;
import io.tidewatch.protocol.Severity;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.japi.function.Creator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Webhook notifications of incident transitions on real Kafka and Cassandra, to a real HTTP receiver (the JDK's)
 * that fails, times out and recovers: every transition arrives once per idempotency key with a valid signature; a
 * refused notification is listed over the API and an operator's resend delivers it once the receiver is fixed; a
 * node stopped mid-retry leaves its offsets uncommitted and the next node finishes the retry.
 *
 * <p>The receiver's behaviour is chosen by the rule of the transitions it gets, so each test has its own: {@code
 * delta} answers 503, then takes too long, then 2xx for each notification; {@code zscore} answers 503 while the test
 * holds it down; {@code range} goes to the strict receiver, which answers 400 until the test fixes it.
 */
class NotifierIT {

  private static final Duration PATIENCE = Duration.ofSeconds(90);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TOPIC = "tidewatch.incidents";
  private static final String OPERATOR = "notifier-it-operator-token";
  private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  private static final WebhookSigner SIGNER = WebhookSigner.fromSecret(SECRET);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(1);

  /** One request as the receiver saw it. */
  private record Received(String path, String webhookId, String timestamp, String signature, String body, int status) {
    List<String> transitionIds() {
      try {
        List<String> ids = new ArrayList<>();
        JSON.readTree(body).get("transitions").forEach(t -> ids.add(t.get("transitionId").asText()));
        return ids;
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private static final List<Received> RECEIVED = new CopyOnWriteArrayList<>();
  private static final Map<String, AtomicInteger> ATTEMPTS = new ConcurrentHashMap<>();
  private static volatile boolean zscoreDown = true;
  private static volatile boolean strictFixed = false;

  private static LocalInfra infra;
  private static HttpServer receiver;
  private static volatile ActorSystem<Void> node;
  private static volatile int httpPort;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    Path dir = Files.createTempDirectory("tidewatch-notifier-it");
    Map<String, Integer> topics = new HashMap<>(LocalInfra.DEFAULT_TOPICS);
    topics.putIfAbsent(TOPIC, 4);
    infra = LocalInfra.start(dir.resolve("brokers"), LocalInfra.Ports.free(), topics);
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.setExecutor(Executors.newCachedThreadPool());
    receiver.createContext("/flaky", NotifierIT::flaky);
    receiver.createContext("/strict", NotifierIT::strict);
    receiver.start();
    node = startNode();
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.terminate();
      node.getWhenTerminated().toCompletableFuture().join();
    }
    if (receiver != null) {
      receiver.stop(0);
    }
    if (infra != null) {
      infra.close();
    }
  }

  private static ActorSystem<Void> startNode() {
    String base = "http://127.0.0.1:" + receiver.getAddress().getPort();
    Config settings = ConfigFactory.parseString("""
        tidewatch.notify {
          group-wait = 300ms
          request-timeout = %s
          retry { min-backoff = 200ms, max-backoff = 1s, max-attempts = 1000 }
          receivers = [
            { name = flaky, url = "%s/flaky", secret = "%s", rules = [delta, zscore] },
            { name = strict, url = "%s/strict", secret = "%s", rules = [range], severities = [error, critical] }
          ]
        }
        """.formatted(REQUEST_TIMEOUT.toMillis() + "ms", base, SECRET, base, SECRET));
    httpPort = FreePorts.next();
    return TestNodes.start(infra, ConfigFactory.parseMap(Map.of(
            "tidewatch.http.port", httpPort,
            "tidewatch.http.tokens", OPERATOR + "=operator",
            "pekko.management.http.port", FreePorts.next()))
        .withFallback(settings));
  }

  /** delta: per notification 503, then an answer later than the request timeout, then 204. zscore: 503 while down. */
  private static void flaky(HttpExchange exchange) throws IOException {
    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    String webhookId = exchange.getRequestHeaders().getFirst("webhook-id");
    int status;
    if (body.contains("rule=zscore")) {
      status = zscoreDown ? 503 : 204;
    } else {
      int attempt = ATTEMPTS.computeIfAbsent(webhookId, k -> new AtomicInteger()).incrementAndGet();
      if (attempt == 2) {
        try {
          Thread.sleep(REQUEST_TIMEOUT.multipliedBy(2).toMillis()); // the notifier has given up on this attempt
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      status = attempt <= 2 ? 503 : 204;
    }
    answer(exchange, body, status);
  }

  private static void strict(HttpExchange exchange) throws IOException {
    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    answer(exchange, body, strictFixed ? 200 : 400);
  }

  private static void answer(HttpExchange exchange, String body, int status) throws IOException {
    var h = exchange.getRequestHeaders();
    RECEIVED.add(new Received(exchange.getRequestURI().getPath(), h.getFirst("webhook-id"),
        h.getFirst("webhook-timestamp"), h.getFirst("webhook-signature"), body, status));
    byte[] out = status == 400 ? "{\"error\":\"no such channel\"}".getBytes(StandardCharsets.UTF_8) : new byte[0];
    try {
      exchange.sendResponseHeaders(status, out.length == 0 ? -1 : out.length);
      exchange.getResponseBody().write(out);
    } catch (IOException notifierGone) {
      // it timed out and closed the connection: that is the case under test
    } finally {
      exchange.close();
    }
  }

  private static List<IncidentTransition> transitions(String rule, Severity severity, int count) {
    String run = UUID.randomUUID().toString().substring(0, 8);
    List<IncidentTransition> out = new ArrayList<>();
    long now = System.currentTimeMillis();
    for (int i = 0; i < count; i++) {
      String entity = "sensor-" + run + "-" + i;
      String incident = entity + ":" + (i + 1);
      out.add(new IncidentTransition(incident + ":opened", incident, "opened", "sensor", entity, rule, "temperature",
          severity, incident, now - 1_000, now));
    }
    return out;
  }

  private static void publish(List<IncidentTransition> transitions) throws Exception {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrapServers());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    try (var producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
      for (IncidentTransition t : transitions) {
        producer.send(new ProducerRecord<>(TOPIC, t.entityId(), JSON.writeValueAsString(t))).get();
      }
    }
  }

  /** Transition ids in the bodies the receiver took (2xx), one entry per webhook-id: repeats of an id count once. */
  private static List<String> accepted(String path, List<IncidentTransition> ours) {
    Set<String> wanted = new TreeSet<>(ours.stream().map(IncidentTransition::transitionId).toList());
    Map<String, Received> byWebhookId = new HashMap<>();
    RECEIVED.stream().filter(r -> r.path().equals(path) && r.status() / 100 == 2)
        .forEach(r -> byWebhookId.putIfAbsent(r.webhookId(), r));
    List<String> ids = new ArrayList<>();
    byWebhookId.values().forEach(r -> r.transitionIds().stream().filter(wanted::contains).forEach(ids::add));
    return ids;
  }

  private static List<Received> requestsCarrying(List<IncidentTransition> ours) {
    Set<String> wanted = new TreeSet<>(ours.stream().map(IncidentTransition::transitionId).toList());
    return RECEIVED.stream().filter(r -> r.transitionIds().stream().anyMatch(wanted::contains)).toList();
  }

  private static void assertSigned(List<Received> requests) {
    for (Received r : requests) {
      assertEquals(SIGNER.sign(r.webhookId(), Long.parseLong(r.timestamp()), r.body()), r.signature(),
          "signature of " + r.webhookId());
      assertTrue(r.webhookId().startsWith("tw_"), r.webhookId());
    }
  }

  @Test
  void deliversEveryTransitionOncePerWebhookIdThroughServerErrorsAndTimeouts() throws Exception {
    List<IncidentTransition> ours = transitions("delta", Severity.WARNING, 20);

    publish(ours);

    List<String> expected = ours.stream().map(IncidentTransition::transitionId).sorted().toList();
    eventually(() -> {
      assertEquals(expected, accepted("/flaky", ours).stream().sorted().toList(), "each transition exactly once");
      return null;
    });
    List<Received> requests = requestsCarrying(ours);
    assertSigned(requests);
    Map<String, Long> acceptedPerWebhookId = new HashMap<>();
    requests.stream().filter(r -> r.status() / 100 == 2).forEach(r -> acceptedPerWebhookId.merge(r.webhookId(), 1L, Long::sum));
    acceptedPerWebhookId.forEach((id, times) -> assertEquals(1L, times, id + " accepted more than once"));
    acceptedPerWebhookId.keySet().forEach(id -> assertEquals(3, ATTEMPTS.get(id).get(), id + ": 503, timeout, 204"));
    assertTrue(requests.stream().noneMatch(r -> r.path().equals("/strict")), "the strict receiver wants range only");
  }

  @Test
  void listsARefusedNotificationAndResendsItOnceTheReceiverIsFixed() throws Exception {
    List<IncidentTransition> ours = transitions("range", Severity.CRITICAL, 1);
    String transitionId = ours.get(0).transitionId();

    publish(ours);

    JsonNode failed = eventually(() -> {
      JsonNode items = get("/api/v1/notifications/failed?limit=1000").get("items");
      for (JsonNode item : items) {
        if (item.get("transitionIds").toString().contains(transitionId)) {
          return item;
        }
      }
      throw new AssertionError("not listed yet: " + items);
    });
    assertEquals("strict", failed.get("receiver").asText());
    assertEquals(1, failed.get("attempts").asInt(), "a 400 is not retried");
    assertEquals("HTTP 400: {\"error\":\"no such channel\"}", failed.get("reason").asText());
    assertEquals(1, requestsCarrying(ours).size());

    strictFixed = true;
    HttpResponse<String> resent = post("/api/v1/notifications/failed/" + failed.get("id").asText() + "/resend");

    assertEquals(200, resent.statusCode(), resent.body());
    assertTrue(JSON.readTree(resent.body()).get("delivered").asBoolean());
    List<Received> requests = requestsCarrying(ours);
    assertEquals(2, requests.size());
    assertEquals(failed.get("webhookId").asText(), requests.get(1).webhookId(), "a resend keeps the idempotency key");
    assertEquals(200, requests.get(1).status());
    assertSigned(requests);
    assertTrue(get("/api/v1/notifications/failed?limit=1000").get("items").toString().indexOf(transitionId) < 0,
        "delivered, so no longer listed");
    assertEquals(404, post("/api/v1/notifications/failed/" + failed.get("id").asText() + "/resend").statusCode());
  }

  @Test
  void resumesTheRetryOnANewNodeWhenTheNodeStopsMidRetry() throws Exception {
    List<IncidentTransition> ours = transitions("zscore", Severity.ERROR, 5);
    zscoreDown = true;

    publish(ours);
    eventually(() -> {
      assertTrue(requestsCarrying(ours).size() >= 2, "retrying");
      return null;
    });
    node.terminate();
    node.getWhenTerminated().toCompletableFuture().join();
    int beforeRestart = requestsCarrying(ours).size();
    node = startNode();
    zscoreDown = false; // after the old node is gone: what arrives now comes from the new one

    List<String> expected = ours.stream().map(IncidentTransition::transitionId).sorted().toList();
    eventually(() -> {
      assertEquals(expected, accepted("/flaky", ours).stream().sorted().toList());
      return null;
    });
    assertTrue(requestsCarrying(ours).size() > beforeRestart, "the new node sent them");
    assertSigned(requestsCarrying(ours));
  }

  private JsonNode get(String path) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
        .header("Authorization", "Bearer " + OPERATOR).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), response.body());
    return JSON.readTree(response.body());
  }

  private HttpResponse<String> post(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
        .header("Authorization", "Bearer " + OPERATOR).POST(HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static <T> T eventually(Creator<T> check) {
    return TestProbe.create(node).awaitAssert(PATIENCE, Duration.ofMillis(250), check);
  }
}
