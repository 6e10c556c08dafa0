package io.tidewatch.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.tidewatch.deploy.FreePorts;
import io.tidewatch.deploy.LocalInfra;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.japi.function.Creator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A type's state-ttl on a node over real Kafka and Cassandra: an entity that heard nothing passivates, the node's
 * sweep of the entity index wakes it when its ttl has passed, it journals {@code EntityExpired} (baselines and last
 * values cleared, counters kept) and the entity index marks it expired; its next reading starts a fresh baseline
 * (no delta against the value from before), ends the expiry and clears the mark; the audit replay agrees.
 */
class StateExpiryIT {

  private static final String TOKEN = "state-expiry-it-token-with-every-role";
  private static final Duration PATIENCE = Duration.ofSeconds(90);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long T0 = 1_700_000_040_000L;
  private static final long TTL_MS = 5_000;

  private static LocalInfra infra;
  private static ActorSystem<Void> node;
  private static CqlSession cql;
  private static String api;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    infra = LocalInfra.start(
        Files.createTempDirectory("tidewatch-state-expiry-it"), LocalInfra.Ports.free(), LocalInfra.DEFAULT_TOPICS);
    int httpPort = FreePorts.next();
    // One second windows (idle-close 1 s), passivation after 1 s of silence, so the entity sleeps long before its
    // ttl and only the sweep can expire it.
    node = TestNodes.start(infra, ConfigFactory.parseString("""
        tidewatch.http.port = %d
        tidewatch.http.tokens = "%s=reader+writer+auditor+operator"
        pekko.management.http.port = %d
        tidewatch.entities.passivate-after = 1s
        tidewatch.entity-types.sensor {
          windows = [{ type = tumbling, size = 1s }]
          allowed-lateness = 0s
          anomalies = [{ rule = delta, metrics = ["*"], threshold = 5.0 }]
          state-ttl = %ds
        }
        """.formatted(httpPort, TOKEN, FreePorts.next(), TTL_MS / 1000)));
    api = "http://127.0.0.1:" + httpPort + "/api/v1";
    cql = CqlSession.builder()
        .addContactPoint(new InetSocketAddress("127.0.0.1", Integer.parseInt(infra.cassandraContactPoint().split(":")[1])))
        .withLocalDatacenter(infra.cassandraLocalDatacenter())
        .build();
  }

  @AfterAll
  static void stop() {
    if (cql != null) {
      cql.close();
    }
    if (node != null) {
      node.terminate();
      node.getWhenTerminated().toCompletableFuture().join();
    }
    if (infra != null) {
      infra.close();
    }
  }

  private static String reading(String id, long ts, double temperature) {
    return "{\"entityType\":\"sensor\",\"entityId\":\"" + id + "\",\"ts\":" + ts
        + ",\"metrics\":{\"temperature\":" + temperature + "}}";
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(
        request.header("Authorization", "Bearer " + TOKEN).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private void post(String body) throws Exception {
    HttpResponse<String> posted =
        send(HttpRequest.newBuilder(URI.create(api + "/readings")).POST(HttpRequest.BodyPublishers.ofString(body)));
    assertEquals(202, posted.statusCode(), posted.body());
  }

  private JsonNode get(String path) throws Exception {
    HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(api + path)));
    assertEquals(200, response.statusCode(), response.body());
    return JSON.readTree(response.body());
  }

  /** The entity's journal entry of {@code type}, read from the journal (which wakes no entity), or null. */
  private JsonNode journalEntry(String id, String type) throws Exception {
    HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(api + "/entities/sensor/" + id + "/journal")));
    assertEquals(200, response.statusCode(), response.body());
    JsonNode found = null;
    for (String line : response.body().split("\n")) {
      if (!line.isBlank()) {
        JsonNode entry = JSON.readTree(line);
        if (entry.get("type").asText().equals(type)) {
          found = entry;
        }
      }
    }
    return found;
  }

  private static Row indexRow(String id) {
    return cql.execute("SELECT expires_at, expired_at, heard_at FROM tidewatch.entity_ids WHERE entity_type = 'sensor' "
        + "AND entity_id = ?", id).one();
  }

  @Test
  void aSilentEntityExpiresThroughTheSweepAndItsNextReadingStartsAFreshBaseline() throws Exception {
    String id = "sensor-expiry-" + UUID.randomUUID();
    post("[" + reading(id, T0 + 100, 20.0) + "," + reading(id, T0 + 200, 21.0) + "]");

    JsonNode expiry = eventually(() -> {
      JsonNode entry = journalEntry(id, "EntityExpired");
      assertNotNull(entry, "not expired yet");
      return entry;
    });
    long expiredAt = expiry.get("event").get("at").asLong();
    assertTrue(expiry.get("event").get("silentMs").asLong() >= TTL_MS, expiry.toString());
    eventually(() -> {
      Row row = indexRow(id);
      assertNotNull(row, "listed");
      assertEquals(expiredAt, row.getLong("expired_at"), "the entity index marks it expired");
      assertTrue(row.isNull("expires_at"), "and no longer due");
      assertFalse(row.isNull("heard_at"), "it recorded its expiry as it passivated");
      return null;
    });

    JsonNode expired = get("/entities/sensor/" + id);
    assertEquals(expiredAt, expired.get("expiredAt").asLong());
    assertEquals(0, expired.get("lastValues").size(), "last values cleared: " + expired);
    assertEquals(2, expired.get("metricCounts").get("temperature").asLong(), "counters kept");
    assertEquals(2, expired.get("readings").asLong());
    assertEquals(0, expired.get("anomalies").asLong());

    post("[" + reading(id, T0 + 10_000, 40.0) + "]"); // 19 above 21, from before the expiry: no delta hit
    JsonNode fresh = eventually(() -> {
      JsonNode s = get("/entities/sensor/" + id);
      assertEquals(3, s.get("readings").asLong());
      return s;
    });
    assertEquals(0, fresh.get("anomalies").asLong(), "a fresh baseline: " + fresh);
    assertTrue(fresh.get("expiredAt").isNull(), "heard again: " + fresh);
    assertEquals(40.0, fresh.get("lastValues").get("temperature").asDouble(), 1e-9);
    eventually(() -> {
      assertTrue(indexRow(id).isNull("expired_at"), "the mark goes with the next reading");
      return null;
    });

    post("[" + reading(id, T0 + 11_000, 50.0) + "]"); // the delta rule judges again, against 40
    JsonNode judged = eventually(() -> {
      JsonNode s = get("/entities/sensor/" + id);
      assertEquals(4, s.get("readings").asLong());
      return s;
    });
    assertEquals(1, judged.get("anomalies").asLong(), judged.toString());

    JsonNode replayed = get("/entities/sensor/" + id + "/state?asOfSeq=" + judged.get("lastSeqNr").asLong());
    for (String field : new String[] {"readings", "anomalies", "lastValues", "metricCounts", "expiredAt"}) {
      assertEquals(judged.get(field), replayed.get(field), field + " folded from the journal");
    }
    long expirySeq = expiry.get("seqNr").asLong();
    JsonNode asOfExpiry = get("/entities/sensor/" + id + "/state?asOfSeq=" + expirySeq);
    assertEquals(expiredAt, asOfExpiry.get("expiredAt").asLong(), "the replay expires it at the same point");
    assertFalse(asOfExpiry.get("lastValues").has("temperature"));
  }

  private static <T> T eventually(Creator<T> check) {
    return TestProbe.create(node).awaitAssert(PATIENCE, Duration.ofMillis(250), check);
  }
}
