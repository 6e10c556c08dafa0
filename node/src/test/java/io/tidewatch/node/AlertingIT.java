package io.tidewatch.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.tidewatch.deploy.AlertmanagerLauncher;
import io.tidewatch.deploy.FreePorts;
import io.tidewatch.deploy.LocalInfra;
import io.tidewatch.persistence.readside.CassandraReadSide;
import io.tidewatch.protocol.EntityProtocol.IncidentChanged;
import io.tidewatch.protocol.EntityProtocol.IncidentState;
import io.tidewatch.protocol.EntityProtocol.Outputs;
import io.tidewatch.protocol.IncidentTransition;
import io.tidewatch.protocol.Severity;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
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
 * Where incident notifications go and what keeps them from going, on real Kafka, Cassandra and a real Prometheus
 * Alertmanager (Debian's): an Alertmanager receiver fires the opened incident with its labels, moves it on an
 * escalation and resolves it with the resolution; silences and inhibition suppress exactly what they say, which the
 * test sees at a plain webhook receiver and in the notifier's counters on {@code /metrics}. Each test uses its own
 * entity type ({@code turbine} for Alertmanager, {@code pump} for the webhook), which only its receiver wants.
 */
class AlertingIT {

  private static final Duration PATIENCE = Duration.ofSeconds(90);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TOPIC = "tidewatch.incidents";
  private static final String OPERATOR = "alerting-it-operator-token";
  private static final String API_URL = "https://tidewatch.example";
  private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  /** Transition ids the webhook receiver took. */
  private static final Set<String> DELIVERED = ConcurrentHashMap.newKeySet();
  private static HttpServer receiver;

  private static LocalInfra infra;
  private static AlertmanagerLauncher.Running alertmanager;
  private static ActorSystem<Void> node;
  private static int httpPort;
  private static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    Path dir = Files.createTempDirectory("tidewatch-alerting-it");
    Map<String, Integer> topics = new HashMap<>(LocalInfra.DEFAULT_TOPICS);
    topics.putIfAbsent(TOPIC, 4);
    infra = LocalInfra.start(dir.resolve("brokers"), LocalInfra.Ports.free(), topics);
    alertmanager = new AlertmanagerLauncher(dir.resolve("alertmanager"), FreePorts.next()).start();
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.setExecutor(Executors.newCachedThreadPool());
    receiver.createContext("/calm", AlertingIT::calm);
    receiver.start();
    Config settings = ConfigFactory.parseString("""
        tidewatch.notify {
          group-wait = 200ms
          request-timeout = 2s
          retry { min-backoff = 200ms, max-backoff = 1s, max-attempts = 100 }
          alertmanager.api-url = "%s"
          silences.cache = 300ms
          receivers = [
            { name = am, kind = alertmanager, url = "%s", types = [turbine] },
            { name = calm, url = "%s", secret = "%s", types = [pump] }
          ]
        }
        """.formatted(API_URL, alertmanager.url(), "http://127.0.0.1:" + receiver.getAddress().getPort() + "/calm", SECRET));
    httpPort = FreePorts.next();
    node = TestNodes.start(infra, ConfigFactory.parseMap(Map.of(
            "tidewatch.http.port", httpPort,
            "tidewatch.http.tokens", OPERATOR + "=operator",
            "pekko.management.http.port", FreePorts.next()))
        .withFallback(settings));
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.terminate();
      node.getWhenTerminated().toCompletableFuture().join();
    }
    if (alertmanager != null) {
      alertmanager.close();
    }
    if (receiver != null) {
      receiver.stop(0);
    }
    if (infra != null) {
      infra.close();
    }
  }

  @Test
  void firesAnOpenedIncidentInAlertmanagerMovesItOnEscalationAndResolvesIt() throws Exception {
    String entity = "turbine-" + UUID.randomUUID().toString().substring(0, 8);
    String incident = entity + ":7";
    long openedAt = System.currentTimeMillis() - 60_000;
    IncidentTransition opened = new IncidentTransition(incident + ":opened", incident, "opened", "turbine", entity,
        "delta", "rpm", Severity.WARNING, entity + ":7", openedAt - 500, openedAt, openedAt);

    publish(List.of(opened));

    JsonNode firing = eventually(() -> single(alerts(incident)));
    JsonNode labels = firing.get("labels");
    assertEquals("TidewatchDelta", labels.get("alertname").asText());
    assertEquals("turbine", labels.get("entityType").asText());
    assertEquals(entity, labels.get("entityId").asText());
    assertEquals("delta", labels.get("rule").asText());
    assertEquals("rpm", labels.get("metric").asText());
    assertEquals("warning", labels.get("severity").asText());
    assertEquals(incident, labels.get("incidentId").asText());
    assertEquals("active", firing.get("status").get("state").asText());
    assertEquals(Instant.ofEpochMilli(openedAt), Instant.parse(firing.get("startsAt").asText()));
    assertTrue(Instant.parse(firing.get("endsAt").asText()).isAfter(Instant.now().plus(Duration.ofDays(6))),
        "held firing by its endsAt, not by re-sending: " + firing.get("endsAt"));
    assertEquals(API_URL + "/api/v1/entities/turbine/" + entity + "/incidents", firing.get("generatorURL").asText());
    assertTrue(firing.get("annotations").get("summary").asText().contains(entity), firing.toString());

    long escalatedAt = System.currentTimeMillis();
    publish(List.of(new IncidentTransition(incident + ":escalated:critical", incident, "escalated", "turbine", entity,
        "delta", "rpm", Severity.CRITICAL, entity + ":9", escalatedAt - 500, escalatedAt, openedAt)));

    JsonNode critical = eventually(() -> {
      JsonNode only = single(alerts(incident));
      assertEquals("critical", only.get("labels").get("severity").asText(), "the warning resolved: " + only);
      return only;
    });
    assertEquals(Instant.ofEpochMilli(openedAt), Instant.parse(critical.get("startsAt").asText()));

    long resolvedAt = System.currentTimeMillis();
    publish(List.of(new IncidentTransition(incident + ":resolved", incident, "resolved", "turbine", entity,
        "delta", "rpm", Severity.CRITICAL, null, resolvedAt - 500, resolvedAt, openedAt)));

    eventually(() -> {
      assertEquals(0, alerts(incident).size(), "resolved alerts are not listed as active");
      return null;
    });
  }

  @Test
  void aSilenceOnARuleDropsItsTransitionsButNotOthersAndTheyGoOutAgainOnceItIsExpired() throws Exception {
    String silenceId = createSilence("{\"entityType\":\"pump\",\"rule\":\"delta\"}");
    awaitTheNotifierSees(() -> opened("delta", "pressure", Severity.WARNING), "silenced");
    double silencedBefore = counter("silenced");
    List<IncidentTransition> delta = List.of(opened("delta", "pressure", Severity.WARNING),
        opened("delta", "flow", Severity.CRITICAL), opened("delta", "pressure", Severity.ERROR));
    List<IncidentTransition> zscore = List.of(opened("zscore", "pressure", Severity.WARNING),
        opened("zscore", "flow", Severity.CRITICAL));

    publish(interleave(delta, zscore));

    eventually(() -> {
      assertTrue(DELIVERED.containsAll(ids(zscore)), "zscore is not silenced");
      assertEquals(silencedBefore + delta.size(), counter("silenced"), "each delta transition counted once");
      return null;
    });
    assertTrue(ids(delta).stream().noneMatch(DELIVERED::contains), "no delta transition was sent");

    HttpResponse<String> expired = operator("DELETE", "/api/v1/silences/" + silenceId, null);
    assertEquals(200, expired.statusCode(), expired.body());
    assertEquals("expired", JSON.readTree(expired.body()).get("state").asText());

    awaitTheNotifierSees(() -> opened("delta", "pressure", Severity.WARNING), "delivered");
    List<IncidentTransition> after = List.of(opened("delta", "pressure", Severity.WARNING));
    publish(after);
    eventually(() -> {
      assertTrue(DELIVERED.containsAll(ids(after)), "delta goes out again");
      return null;
    });
  }

  @Test
  void anOpenCriticalIncidentMutesWarningsOfItsEntityAndMetricButNotOfAnotherMetric() throws Exception {
    String entity = "pump-" + UUID.randomUUID().toString().substring(0, 8);
    long now = System.currentTimeMillis();
    CassandraReadSide readSide = CassandraReadSide.create(node);
    readSide.publish("pump", entity, new Outputs(List.of(), List.of(), List.of(new IncidentChanged(
            entity + ":1", IncidentState.OPENED, "zscore", "pressure", Severity.CRITICAL, entity + ":1", now - 100, now,
            now)), null))
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    double inhibitedBefore = counter("inhibited");
    IncidentTransition sameMetric = new IncidentTransition(entity + ":2:opened", entity + ":2", "opened", "pump",
        entity, "range", "pressure", Severity.WARNING, entity + ":2", now, now + 1, now + 1);
    IncidentTransition otherMetric = new IncidentTransition(entity + ":3:opened", entity + ":3", "opened", "pump",
        entity, "range", "flow", Severity.WARNING, entity + ":3", now, now + 1, now + 1);
    IncidentTransition sameMetricError = new IncidentTransition(entity + ":4:opened", entity + ":4", "opened", "pump",
        entity, "delta", "pressure", Severity.ERROR, entity + ":4", now, now + 1, now + 1);

    publish(List.of(sameMetric, otherMetric, sameMetricError));

    eventually(() -> {
      assertTrue(DELIVERED.containsAll(List.of(otherMetric.transitionId(), sameMetricError.transitionId())),
          "a warning of another metric, and an error of the same, go out");
      assertEquals(inhibitedBefore + 1, counter("inhibited"));
      return null;
    });
    assertFalse(DELIVERED.contains(sameMetric.transitionId()), "the warning under the critical was not sent");
  }

  /**
   * Publishes one transition at a time until one of them comes to {@code outcome} ({@code silenced}: counted as such;
   * {@code delivered}: taken by the receiver): then the notifier's silence cache holds the change. Each waits for its
   * own outcome, so none is still on its way when this returns.
   */
  private static void awaitTheNotifierSees(Creator<IncidentTransition> probe, String outcome) throws Exception {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (System.nanoTime() < deadline) {
      IncidentTransition t = probe.create();
      double silenced = counter("silenced");
      publish(List.of(t));
      boolean delivered = eventually(() -> {
        if (DELIVERED.contains(t.transitionId())) {
          return true;
        }
        assertTrue(counter("silenced") > silenced, "neither delivered nor silenced yet");
        return false;
      });
      if (delivered == outcome.equals("delivered")) {
        return;
      }
    }
    throw new AssertionError("the notifier did not see the change within " + PATIENCE);
  }

  private static IncidentTransition opened(String rule, String metric, Severity severity) {
    String entity = "pump-" + UUID.randomUUID().toString().substring(0, 8);
    long now = System.currentTimeMillis();
    return new IncidentTransition(entity + ":1:opened", entity + ":1", "opened", "pump", entity, rule, metric,
        severity, entity + ":1", now - 100, now, now);
  }

  private static List<IncidentTransition> interleave(List<IncidentTransition> a, List<IncidentTransition> b) {
    List<IncidentTransition> out = new ArrayList<>();
    for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
      if (i < a.size()) {
        out.add(a.get(i));
      }
      if (i < b.size()) {
        out.add(b.get(i));
      }
    }
    return out;
  }

  private static List<String> ids(List<IncidentTransition> transitions) {
    return transitions.stream().map(IncidentTransition::transitionId).toList();
  }

  private static String createSilence(String matchers) throws Exception {
    HttpResponse<String> created = operator("POST", "/api/v1/silences", """
        {"matchers":%s,"endsAt":"%s","comment":"AlertingIT","createdBy":"it"}
        """.formatted(matchers, Instant.now().plus(Duration.ofHours(1))));
    assertEquals(201, created.statusCode(), created.body());
    return JSON.readTree(created.body()).get("id").asText();
  }

  private static HttpResponse<String> operator(String method, String path, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
            .header("Authorization", "Bearer " + OPERATOR).header("Content-Type", "application/json")
            .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** {@code tidewatch_notifications_<outcome>_total{receiver="calm"}} as the node's /metrics shows it. */
  private static double counter(String outcome) throws Exception {
    String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    String name = "tidewatch_notifications_" + outcome + "_total{";
    return metrics.lines()
        .filter(l -> l.startsWith(name) && l.contains("receiver=\"calm\""))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + name + "receiver=\"calm\"} in /metrics"));
  }

  /** The webhook receiver: takes everything (204) and notes the transition ids. */
  private static void calm(HttpExchange exchange) throws IOException {
    try {
      JSON.readTree(exchange.getRequestBody().readAllBytes()).get("transitions")
          .forEach(t -> DELIVERED.add(t.get("transitionId").asText()));
      exchange.sendResponseHeaders(204, -1);
    } finally {
      exchange.close();
    }
  }

  /** Alertmanager's alerts of one incident, as {@code GET /api/v2/alerts} lists them (active ones only). */
  private static List<JsonNode> alerts(String incidentId) throws Exception {
    String filter = URLEncoder.encode("incidentId=\"" + incidentId + "\"", StandardCharsets.UTF_8);
    HttpResponse<String> response = http.send(
        HttpRequest.newBuilder(URI.create(alertmanager.url() + "/api/v2/alerts?filter=" + filter)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), response.body());
    List<JsonNode> out = new ArrayList<>();
    JSON.readTree(response.body()).forEach(out::add);
    return out;
  }

  private static JsonNode single(List<JsonNode> alerts) {
    assertEquals(1, alerts.size(), alerts.toString());
    return alerts.get(0);
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

  private static <T> T eventually(Creator<T> check) {
    return TestProbe.create(node).awaitAssert(PATIENCE, Duration.ofMillis(250), check);
  }
}
