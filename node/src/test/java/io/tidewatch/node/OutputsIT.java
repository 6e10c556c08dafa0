package io.tidewatch.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.datastax.oss.driver.api.core.CqlSession;
import io.tidewatch.node.commands.MigrateReadSideCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import io.tidewatch.deploy.FreePorts;
import io.tidewatch.deploy.LocalInfra;
import io.tidewatch.protocol.EntityProtocol.IncidentChanged;
import io.tidewatch.protocol.IncidentTransition;
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
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Future;
import java.util.function.IntToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.japi.function.Creator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Closed windows and alerts leave with the entities' replies, on a real Kafka broker and a real Cassandra node: none
 * is lost when the output broker is unreachable while readings are journaled and the node then dies, neither those
 * the ingest publishes nor those an entity's idle timer closed, and the windows API pages the read side's table
 * without reading a journal.
 */
class OutputsIT {

  private static final long T0 = 1_700_000_040_000L; // a minute boundary
  private static final Duration PATIENCE = Duration.ofSeconds(90);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TOKEN = "outputs-it-token";

  private static Path dataDir;
  private static LocalInfra infra;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void startBrokers() throws Exception {
    dataDir = Files.createTempDirectory("tidewatch-outputs");
    infra = LocalInfra.start(dataDir, LocalInfra.Ports.free(), LocalInfra.DEFAULT_TOPICS);
  }

  @AfterAll
  static void stopBrokers() {
    if (infra != null) {
      infra.close();
    }
  }

  /** Topics, group and idle timer of one test, so tests see only their own outputs. */
  private record Lane(String name, int partitions) {
    String readings() {
      return "readings." + name;
    }

    String aggregates() {
      return "aggregates." + name;
    }

    String alerts() {
      return "alerts." + name;
    }

    String incidents() {
      return "incidents." + name;
    }

    Config config() {
      return ConfigFactory.parseMap(Map.of(
          "tidewatch.ingest.topic", readings(),
          "tidewatch.ingest.dead-letter-topic", "dead-letters." + name,
          "tidewatch.ingest.group-id", "group-" + name,
          "tidewatch.output.aggregates-topic", aggregates(),
          "tidewatch.output.alerts-topic", alerts(),
          "tidewatch.output.incidents-topic", incidents()));
    }

    void create() {
      infra.kafka().createTopics(
          Map.of(readings(), partitions, "dead-letters." + name, 1, aggregates(), 2, alerts(), 2, incidents(), 2));
    }
  }

  /** The output producer points at a port nobody listens on: every publish fails after a second. */
  private static Config outputBrokerDown() {
    return ConfigFactory.parseMap(Map.of(
        "tidewatch.output.kafka-producer.kafka-clients.bootstrap.servers", "127.0.0.1:" + FreePorts.next(),
        "tidewatch.output.kafka-producer.kafka-clients.max.block.ms", 1000,
        // stopped without its drain, as if it had crashed
        "pekko.coordinated-shutdown.run-by-actor-system-terminate", "off"));
  }

  private static ActorSystem<Void> startNode(int httpPort, Config extra) {
    return TestNodes.start(infra, extra.withFallback(ConfigFactory.parseMap(Map.of(
        "tidewatch.http.port", httpPort,
        "tidewatch.http.tokens", TOKEN + "=reader+auditor",
        "pekko.management.http.port", FreePorts.next()))));
  }

  private static void stopNode(ActorSystem<Void> system) {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().join();
  }

  private static String id(String prefix, int sensor) {
    return String.format(Locale.ROOT, "%s-%03d", prefix, sensor);
  }

  /** Produces {@code perSensor} readings of each sensor, {@code stepMs} apart from {@code t0}, and waits for the acks. */
  private static void produce(
      String topic, String prefix, int sensors, int perSensor, long t0, long stepMs, IntToDoubleFunction value)
      throws Exception {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrapServers());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    List<Future<?>> sends = new ArrayList<>();
    try (var producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
      for (int i = 0; i < perSensor; i++) {
        for (int s = 0; s < sensors; s++) {
          String json = String.format(
              Locale.ROOT,
              "{\"entityType\":\"sensor\",\"entityId\":\"%s\",\"ts\":%d,\"metrics\":{\"temperature\":%.2f}}",
              id(prefix, s), t0 + i * stepMs, value.applyAsDouble(i));
          sends.add(producer.send(new ProducerRecord<>(topic, id(prefix, s), json)));
        }
      }
    }
    for (var send : sends) {
      send.get();
    }
  }

  /**
   * The output broker is down while the entities journal every reading, and the node dies before anything was
   * published or committed. The next node gets the records again; the entities answer the redelivery with the
   * windows and alerts those readings produced, so the topics end up holding every one of them.
   */
  @Test
  void outputsOfReadingsJournaledWhileTheOutputBrokerWasDownArePublishedAfterTheCrash() throws Exception {
    Lane lane = new Lane("redelivered", 4);
    lane.create();
    int sensors = 20;
    int perSensor = 130; // one a second: minutes 0 and 1 close, minute 2 stays open
    IntToDoubleFunction value = i -> i == 30 ? 40.0 : 20.0 + (i % 3) * 0.5; // a spike: delta alerts
    produce(lane.readings(), "redo", sensors, perSensor, T0, 1_000, value);

    int firstPort = FreePorts.next();
    ActorSystem<Void> first = startNode(firstPort, outputBrokerDown().withFallback(lane.config()));
    try {
      eventually(first, () -> {
        for (int s = 0; s < sensors; s++) {
          JsonNode state = get(firstPort, "/api/v1/entities/sensor/" + id("redo", s));
          assertTrue(state != null, id("redo", s) + " is known");
          assertEquals(perSensor, state.get("readings").asLong(), "journaled everything, published nothing");
        }
        return null;
      });
    } finally {
      stopNode(first);
    }
    assertEquals(0, committed(lane), "nothing was committed: publishing never succeeded");

    int secondPort = FreePorts.next();
    ActorSystem<Void> second = startNode(secondPort, lane.config());
    try {
      Map<String, JsonNode> expected = new TreeMap<>();
      Set<String> expectedAlerts = new TreeSet<>();
      Set<String> expectedTransitions = new TreeSet<>();
      for (int s = 0; s < sensors; s++) {
        String sensor = id("redo", s);
        for (long start : new long[] {T0, T0 + 60_000, T0 - 240_000, T0 - 180_000}) {
          String spec = start < T0 ? "sliding-5m-1m" : "tumbling-60s";
          expected.put(sensor + ":" + spec + ":" + start + ":temperature", null);
        }
        expectedAlerts.addAll(journaledAlertIds(secondPort, sensor));
        expectedTransitions.addAll(journaledTransitionIds(secondPort, sensor));
      }
      assertTrue(expectedAlerts.size() >= 2 * sensors, "the spike raised delta alerts: " + expectedAlerts.size());

      Map<String, JsonNode> windows = latestById(lane.aggregates(), "windowId", expected.keySet());
      assertEquals(expected.keySet(), windows.keySet(), "every closed window reached the topic");
      JsonNode firstMinute = windows.get(id("redo", 7) + ":tumbling-60s:" + T0 + ":temperature");
      double sum = 0;
      for (int i = 0; i < 60; i++) {
        sum += value.applyAsDouble(i);
      }
      assertEquals(60, firstMinute.get("count").asLong());
      assertEquals(sum / 60, firstMinute.get("mean").asDouble(), 1e-9);
      assertEquals(40.0, firstMinute.get("max").asDouble());

      Map<String, JsonNode> alerts = latestById(lane.alerts(), "alertId", expectedAlerts);
      assertEquals(expectedAlerts, alerts.keySet(), "exactly the alerts of the journal reached the topic");
      // The spike opens a delta and a zscore incident per sensor; a minute inside the recovery bands resolves both.
      assertEquals(4 * sensors, expectedTransitions.size(), expectedTransitions.toString());
      Map<String, JsonNode> transitions = latestById(lane.incidents(), "transitionId", expectedTransitions);
      assertEquals(expectedTransitions, transitions.keySet(), "exactly the incident transitions of the journal");
      eventually(second, () -> {
        assertEquals((long) sensors * perSensor, committed(lane), "committed once published");
        return null;
      });
    } finally {
      stopNode(second);
    }
  }

  /**
   * Windows closed by the idle timer have no ask to answer: the entity publishes them itself. The output broker is
   * down when they close and the node then dies; the next node wakes the entities marked as owing outputs and they
   * publish the windows, though Kafka redelivers nothing.
   */
  @Test
  void windowsClosedByTheIdleTimerArePublishedByTheEntityAfterTheCrash() throws Exception {
    Lane lane = new Lane("idle", 2);
    lane.create();
    int sensors = 20;
    int perSensor = 30; // within one minute, so only the idle timer closes windows
    Config idle = ConfigFactory.parseMap(Map.of("tidewatch.entity-types.sensor.idle-close", "3s"))
        .withFallback(lane.config());
    produce(lane.readings(), "idle", sensors, perSensor, T0, 1_000, i -> 20.0);

    int firstPort = FreePorts.next();
    ActorSystem<Void> first = startNode(firstPort, outputBrokerDown().withFallback(idle));
    try {
      eventually(first, () -> {
        assertEquals((long) sensors * perSensor, committed(lane), "no window closed by a reading: nothing to wait for");
        for (int s = 0; s < sensors; s++) {
          JsonNode state = get(firstPort, "/api/v1/entities/sensor/" + id("idle", s));
          assertTrue(state != null, id("idle", s) + " is known");
          assertEquals(0, state.get("openWindows").size(), "the idle timer closed them all");
        }
        return null;
      });
    } finally {
      stopNode(first);
    }

    int secondPort = FreePorts.next();
    ActorSystem<Void> second = startNode(secondPort, idle);
    try {
      Set<String> expected = new TreeSet<>();
      for (int s = 0; s < sensors; s++) {
        expected.add(id("idle", s) + ":tumbling-60s:" + T0 + ":temperature");
        for (int k = 0; k < 5; k++) {
          expected.add(id("idle", s) + ":sliding-5m-1m:" + (T0 - 240_000 + k * 60_000L) + ":temperature");
        }
      }
      Map<String, JsonNode> windows = latestById(lane.aggregates(), "windowId", expected);
      assertEquals(expected, windows.keySet(), "the six windows of every sensor, published by the entities");
      assertEquals(perSensor, windows.get(id("idle", 3) + ":tumbling-60s:" + T0 + ":temperature").get("count").asLong());
    } finally {
      stopNode(second);
    }
  }

  /**
   * Three hours of minutes across a month boundary: every closed window pages out of the read side's table, newest
   * first, each once, though the entity keeps only 60 per spec, and no journal is read for it.
   */
  @Test
  void pagesEveryClosedWindowFromTheReadSideWithoutReadingAJournal() throws Exception {
    Lane lane = new Lane("paging", 1);
    lane.create();
    long t0 = 1_701_381_600_000L; // 2023-11-30T22:00Z: the windows end in November and December
    produce(lane.readings(), "page", 1, 182, t0, 60_000, i -> 20.0);

    int port = FreePorts.next();
    ActorSystem<Void> node = startNode(port, lane.config());
    try {
      String sensor = id("page", 0);
      eventually(node, () -> {
        assertEquals(182, committed(lane), "committed, so every window is in the read side");
        return null;
      });
      double queriesBefore = journalQueries(port);
      List<Long> starts = new ArrayList<>();
      String cursor = null;
      do {
        JsonNode page = get(port, "/api/v1/entities/sensor/" + sensor + "/windows?spec=tumbling-60s&limit=50"
                + (cursor == null ? "" : "&cursor=" + cursor));
        page.get("items").forEach(w -> starts.add(w.get("start").asLong()));
        cursor = page.get("next").isNull() ? null : page.get("next").asText();
      } while (cursor != null && starts.size() <= 180);

      assertEquals(180, starts.size(), "all 180 closed minutes");
      for (int i = 0; i < starts.size(); i++) {
        assertEquals(t0 + (179 - i) * 60_000L, starts.get(i), "newest first, each once");
      }
      assertEquals(queriesBefore, journalQueries(port), "no journal was read for the windows");
    } finally {
      stopNode(node);
    }
  }

  /**
   * A keyspace from before outputs left with the replies: its per-entity tables lack what the journals hold, and the
   * projections' offsets are still there. {@code migrate-read-side}, run beside a live node, writes back exactly the
   * windows and alerts the entities had and drops the retired tables.
   */
  @Test
  void migrationBackfillsTheReadSideFromTheJournalsAndDropsTheRetiredTables() throws Exception {
    Lane lane = new Lane("migrate", 1);
    lane.create();
    produce(lane.readings(), "old", 2, 62, T0, 60_000, i -> i == 30 ? 60.0 : 20.0);
    int port = FreePorts.next();
    ActorSystem<Void> node = startNode(port, lane.config());
    try (CqlSession cql = CqlSession.builder()
        .addContactPoint(new InetSocketAddress("127.0.0.1", Integer.parseInt(infra.cassandraContactPoint().split(":")[1])))
        .withLocalDatacenter(infra.cassandraLocalDatacenter())
        .build()) {
      eventually(node, () -> {
        assertEquals(124, committed(lane), "committed, so every output is in the read side");
        return null;
      });
      Map<String, JsonNode> before = readSideOf(port, "old-000", "old-001");
      for (String id : List.of("old-000", "old-001")) {
        assertTrue(before.containsKey(id + "/tumbling-60s/" + (T0 + 59 * 60_000L) + "/temperature"), "the 60th minute");
        assertTrue(before.keySet().stream().anyMatch(k -> k.startsWith(id + ":")), "the spike's alert");
      }
      for (String table : List.of("entity_windows", "entity_alerts", "entity_buckets")) {
        cql.execute("TRUNCATE tidewatch." + table);
      }
      cql.execute("CREATE TABLE IF NOT EXISTS tidewatch.offset_store (projection_name text, partition int, "
          + "projection_key text, offset text, manifest text, last_updated timestamp, "
          + "PRIMARY KEY ((projection_name, partition), projection_key))");
      assertEquals(Map.of(), readSideOf(port, "old-000", "old-001"), "the old release's read side had none of them");

      Path config = dataDir.resolve("migrate.conf");
      Files.writeString(config, "tidewatch.cassandra.contact-points = \"" + infra.cassandraContactPoint() + "\"\n");
      StringWriter out = new StringWriter();
      int exit = new CommandLine(new MigrateReadSideCommand()).setOut(new PrintWriter(out))
          .execute("--config", config.toString());
      assertEquals(0, exit, out.toString());
      assertTrue(out.toString().contains("Backfilled the read side of "), out.toString());

      assertEquals(before, readSideOf(port, "old-000", "old-001"), "every window and alert back, as it was");
      assertTrue(cql.execute("SELECT table_name FROM system_schema.tables WHERE keyspace_name = 'tidewatch' "
          + "AND table_name = 'offset_store'").all().isEmpty(), "the projections' offsets are gone");
    } finally {
      stopNode(node);
    }
  }

  /** Every window (spec, start, metric) and alert (alertId) the API lists for the entities, with its JSON. */
  private Map<String, JsonNode> readSideOf(int port, String... ids) throws Exception {
    Map<String, JsonNode> rows = new TreeMap<>();
    for (String id : ids) {
      get(port, "/api/v1/entities/sensor/" + id + "/windows?limit=1000").get("items")
          .forEach(w -> rows.put(id + "/" + w.get("spec").asText() + "/" + w.get("start").asLong() + "/"
              + w.get("metric").asText(), w));
      get(port, "/api/v1/entities/sensor/" + id + "/alerts?limit=1000").get("items")
          .forEach(a -> rows.put(a.get("alertId").asText(), a));
    }
    return rows;
  }

  private static final Pattern JOURNAL_QUERIES = Pattern.compile("(?m)^tidewatch_journal_queries_total(?:\\{[^}]*\\})? (\\S+)$");

  private double journalQueries(int port) throws Exception {
    String metrics = http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
    Matcher m = JOURNAL_QUERIES.matcher(metrics);
    assertTrue(m.find(), "the node counts journal queries");
    return Double.parseDouble(m.group(1));
  }

  /** The alert ids in the sensor's journal, the auditor's record of what was raised. */
  private Set<String> journaledAlertIds(int port, String sensor) throws Exception {
    Set<String> ids = new TreeSet<>();
    for (JsonNode entry : journal(port, sensor)) {
      if (entry.get("type").asText().equals("AnomalyDetected")) {
        ids.add(entry.get("event").get("alertId").asText());
      }
    }
    return ids;
  }

  /** The ids of the incident transitions in the sensor's journal, as the incidents topic names them. */
  private Set<String> journaledTransitionIds(int port, String sensor) throws Exception {
    Set<String> ids = new TreeSet<>();
    for (JsonNode entry : journal(port, sensor)) {
      if (entry.get("type").asText().equals("IncidentChanged")) {
        IncidentChanged change = JSON.treeToValue(entry.get("event"), IncidentChanged.class);
        ids.add(IncidentTransition.of("sensor", sensor, change).transitionId());
      }
    }
    return ids;
  }

  private List<JsonNode> journal(int port, String sensor) throws Exception {
    HttpResponse<String> response = http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/entities/sensor/" + sensor + "/journal"))
            .header("Authorization", "Bearer " + TOKEN)
            .build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), response.body());
    List<JsonNode> entries = new ArrayList<>();
    for (String line : response.body().split("\n")) {
      entries.add(JSON.readTree(line));
    }
    return entries;
  }

  /** Reads {@code topic} from the start until every id in {@code expected} was seen; the last record of each id. */
  private static Map<String, JsonNode> latestById(String topic, String idField, Set<String> expected) throws Exception {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrapServers());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "check-" + topic);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    Map<String, JsonNode> seen = new HashMap<>();
    try (var consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + PATIENCE.toNanos();
      while (!seen.keySet().containsAll(expected) && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
          JsonNode json = JSON.readTree(record.value());
          assertEquals(json.get("entityId").asText(), record.key(), "keyed by entity id");
          seen.put(json.get(idField).asText(), json);
        }
      }
    }
    return new TreeMap<>(seen);
  }

  private static long committed(Lane lane) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", infra.kafkaBootstrapServers()))) {
      Map<TopicPartition, OffsetAndMetadata> offsets =
          admin.listConsumerGroupOffsets("group-" + lane.name()).partitionsToOffsetAndMetadata().get();
      return offsets.values().stream().filter(o -> o != null).mapToLong(OffsetAndMetadata::offset).sum();
    }
  }

  private JsonNode get(int port, String path) throws Exception {
    HttpResponse<String> response = http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("Authorization", "Bearer " + TOKEN)
            .build(),
        HttpResponse.BodyHandlers.ofString());
    return response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
  }

  /** Retries {@code check} until it stops throwing, for at most {@link #PATIENCE}. */
  private static <T> T eventually(ActorSystem<?> node, Creator<T> check) {
    return TestProbe.create(node).awaitAssert(PATIENCE, Duration.ofMillis(250), check);
  }
}
