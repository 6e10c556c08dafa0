package io.tidewatch.node.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidewatch.protocol.IncidentTransition;
import io.tidewatch.protocol.Severity;
import java.net.URI;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Grouping transitions into notifications: per group and receiver, with an id that depends only on what they carry. */
class IncidentGroupsTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final WebhookSigner SIGNER = WebhookSigner.fromSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
  private static final Receiver ALL = new Receiver("all", URI.create("http://a/"), SIGNER, Set.of(), Set.of(), Set.of());
  private static final Receiver CRITICAL =
      new Receiver("critical", URI.create("http://c/"), SIGNER, Set.of(), Set.of(), Set.of(Severity.CRITICAL));

  private static IncidentTransition transition(String entity, String rule, long seq, String kind, Severity severity) {
    String incident = entity + ":" + seq;
    return new IncidentTransition(incident + ":" + kind, incident, kind, "sensor", entity, rule, "temperature",
        severity, kind.equals("resolved") ? null : entity + ":" + seq, 1_700_000_000_000L + seq, 1_700_000_001_000L + seq);
  }

  private final IncidentGroups groups = new IncidentGroups(List.of("entityType", "rule"), List.of(ALL, CRITICAL), JSON);

  @Test
  void sendsOnePostPerGroupAndReceiverWithTheTransitionsEachReceiverWants() throws Exception {
    List<Notification> out = groups.notifications(List.of(
        transition("s1", "delta", 1, "opened", Severity.WARNING),
        transition("s2", "delta", 2, "opened", Severity.CRITICAL),
        transition("s1", "range", 3, "opened", Severity.ERROR)));

    assertEquals(List.of("all entityType=sensor,rule=delta 2", "critical entityType=sensor,rule=delta 1",
            "all entityType=sensor,rule=range 1"),
        out.stream().map(n -> n.receiver() + " " + n.groupKey() + " " + n.transitionIds().size()).toList());
    JsonNode body = JSON.readTree(out.get(1).body());
    assertEquals("entityType=sensor,rule=delta", body.get("groupKey").asText());
    assertEquals("s2:2:opened", body.get("transitions").get(0).get("transitionId").asText());
    assertEquals("critical", body.get("transitions").get(0).get("severity").asText());
    assertEquals(1_700_000_001_001L, out.get(0).oldestAt());
  }

  @Test
  void givesTheSameTransitionsTheSameWebhookIdWhateverTheirOrder() {
    var a = transition("s1", "delta", 1, "opened", Severity.WARNING);
    var b = transition("s2", "delta", 2, "resolved", Severity.WARNING);

    String forward = groups.notifications(List.of(a, b)).get(0).webhookId();
    String backward = groups.notifications(List.of(b, a)).get(0).webhookId();
    String alone = groups.notifications(List.of(a)).get(0).webhookId();

    assertEquals(forward, backward);
    assertNotEquals(forward, alone);
    assertEquals(35, forward.length(), forward);
  }

  @Test
  void sendsATransitionRepeatedInOneBatchOnce() {
    var a = transition("s1", "delta", 1, "opened", Severity.WARNING);

    List<Notification> out = groups.notifications(List.of(a, a));

    assertEquals(List.of("s1:1:opened"), out.get(0).transitionIds());
  }
}
