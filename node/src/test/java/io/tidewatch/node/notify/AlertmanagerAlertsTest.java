package io.tidewatch.node.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidewatch.protocol.IncidentTransition;
import io.tidewatch.protocol.Severity;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Incident transitions as Alertmanager alerts: which alerts fire, which resolve, and what they carry. */
class AlertmanagerAlertsTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long OPENED_AT = 1_700_000_000_000L;
  private final AlertmanagerAlerts alerts = new AlertmanagerAlerts(JSON, Duration.ofDays(7), "https://tw.example/");

  private static IncidentTransition transition(String kind, Severity severity, long at) {
    String id = "s1:3:" + kind + (kind.equals("escalated") ? ":" + severity.id() : "");
    return new IncidentTransition(id, "s1:3", kind, "sensor", "s1", "zscore", "temperature", severity,
        kind.equals("resolved") ? null : "s1:4", at - 100, at, OPENED_AT);
  }

  private List<JsonNode> body(IncidentTransition t) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    JSON.readTree(alerts.body(List.of(t))).forEach(out::add);
    return out;
  }

  @Test
  void firesAnOpenedIncidentFromItsOpeningUntilFiringEndsAfter() throws Exception {
    List<JsonNode> out = body(transition("opened", Severity.ERROR, OPENED_AT));

    assertEquals(1, out.size(), "no lower severity to resolve at the opening: " + out);
    JsonNode alert = out.get(0);
    assertEquals("{\"alertname\":\"TidewatchZscore\",\"entityType\":\"sensor\",\"entityId\":\"s1\",\"rule\":\"zscore\","
        + "\"metric\":\"temperature\",\"severity\":\"error\",\"incidentId\":\"s1:3\"}", alert.get("labels").toString());
    assertEquals(Instant.ofEpochMilli(OPENED_AT).toString(), alert.get("startsAt").asText());
    assertEquals(Instant.ofEpochMilli(OPENED_AT).plus(Duration.ofDays(7)).toString(), alert.get("endsAt").asText());
    assertEquals("https://tw.example/api/v1/entities/sensor/s1/incidents", alert.get("generatorURL").asText());
    assertFalse(alert.get("annotations").get("summary").asText().isEmpty());
  }

  @Test
  void resolvesTheLowerSeveritiesWhenAnIncidentEscalates() throws Exception {
    long at = OPENED_AT + 60_000;
    List<JsonNode> out = body(transition("escalated", Severity.CRITICAL, at));

    assertEquals(List.of("warning", "error", "critical"), out.stream().map(a -> a.get("labels").get("severity").asText()).toList());
    for (JsonNode lower : out.subList(0, 2)) {
      assertEquals(Instant.ofEpochMilli(at).toString(), lower.get("endsAt").asText());
    }
    assertEquals(Instant.ofEpochMilli(at).plus(Duration.ofDays(7)).toString(), out.get(2).get("endsAt").asText());
    out.forEach(a -> assertEquals(Instant.ofEpochMilli(OPENED_AT).toString(), a.get("startsAt").asText()));
  }

  @Test
  void endsEverySeverityUpToTheIncidentsAtItsResolution() throws Exception {
    long at = OPENED_AT + 120_000;
    List<JsonNode> out = body(transition("resolved", Severity.ERROR, at));

    assertEquals(List.of("warning", "error"), out.stream().map(a -> a.get("labels").get("severity").asText()).toList());
    out.forEach(a -> assertEquals(Instant.ofEpochMilli(at).toString(), a.get("endsAt").asText()));
  }

  @Test
  void leavesOutTheLinkWithoutAnApiUrlAndStartsAtTheTransitionWithoutAnOpeningTime() throws Exception {
    IncidentTransition old = new IncidentTransition("s1:3:opened", "s1:3", "opened", "sensor", "s1", "delta", null,
        Severity.WARNING, "s1:3", OPENED_AT - 100, OPENED_AT + 5);
    JsonNode alert = JSON.readTree(new AlertmanagerAlerts(JSON, Duration.ofHours(1), "").body(List.of(old))).get(0);

    assertNull(alert.get("generatorURL"));
    assertNull(alert.get("labels").get("metric"), "a label without a value is left out");
    assertEquals(Instant.ofEpochMilli(OPENED_AT + 5).toString(), alert.get("startsAt").asText());
  }

  @Test
  void readsTransitionsWithAndWithoutTheirOpeningTime() throws Exception {
    IncidentTransition t = transition("opened", Severity.WARNING, OPENED_AT);
    String json = JSON.writeValueAsString(t);

    assertEquals(t, JSON.readValue(json, IncidentTransition.class));
    String withoutOpenedAt = JSON.writeValueAsString(JSON.readTree(json)).replace(",\"openedAt\":" + OPENED_AT, "");
    assertNull(JSON.readValue(withoutOpenedAt, IncidentTransition.class).openedAt(), withoutOpenedAt);
  }

  @Test
  void postsAnAlertmanagersAlertsToItsAlertsApi() {
    Receiver am = new Receiver("am", URI.create("http://127.0.0.1:9093/am/"), null, Set.of(), Set.of(), Set.of(),
        Receiver.Kind.ALERTMANAGER);

    assertEquals(URI.create("http://127.0.0.1:9093/am/api/v2/alerts"), am.endpoint());
  }
}
