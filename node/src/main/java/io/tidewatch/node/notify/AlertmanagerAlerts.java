package io.tidewatch.node.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tidewatch.protocol.IncidentTransition;
import io.tidewatch.protocol.Severity;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * Incident transitions as Alertmanager's postable alerts ({@code POST /api/v2/alerts}): one alert per incident and
 * severity, labelled {@code alertname=Tidewatch<Rule>, entityType, entityId, rule, metric, severity, incidentId}.
 *
 * <p>Alertmanager resolves an alert on its own once its {@code endsAt} has passed, and expects senders like
 * Prometheus to re-send firing alerts before that. Tidewatch does not re-send: the resolution is itself a transition,
 * delivered at least once (or dead-lettered, listed and resendable), so a firing alert's {@code endsAt} is set
 * {@code firing-ends-after} (default 7 days) past the transition. A periodic re-send would read every open incident
 * of the cluster every few minutes and, with Alertmanager down, pile retries onto the notifier, to cover a loss that
 * the committed offsets already rule out. The bound only caps how long an alert whose resolution was dead-lettered
 * stays firing.
 *
 * <p>Severity is a label, so an escalation starts a new alert: it resolves the alerts of the lower severities in the
 * same POST, and a resolution resolves every severity up to the incident's, so no stale one keeps firing.
 */
final class AlertmanagerAlerts {

  private final ObjectMapper mapper;
  private final Duration firingEndsAfter;
  private final String apiUrl;

  /** @param apiUrl where operators reach the node's API (for {@code generatorURL}); empty to leave it out */
  AlertmanagerAlerts(ObjectMapper mapper, Duration firingEndsAfter, String apiUrl) {
    this.mapper = mapper;
    this.firingEndsAfter = firingEndsAfter;
    this.apiUrl = apiUrl.endsWith("/") ? apiUrl.substring(0, apiUrl.length() - 1) : apiUrl;
  }

  /** The JSON array to POST, in transition order: Alertmanager applies the alerts of one POST in order. */
  String body(List<IncidentTransition> transitions) {
    ArrayNode alerts = mapper.createArrayNode();
    for (IncidentTransition t : transitions) {
      long startsAt = t.openedAt() != null ? Math.min(t.openedAt(), t.at()) : t.at();
      boolean resolved = "resolved".equals(t.transition());
      for (Severity severity : Severity.values()) {
        if (severity == t.severity()) {
          alerts.add(alert(t, severity, startsAt, resolved ? t.at() : t.at() + firingEndsAfter.toMillis()));
        } else if (severity.compareTo(t.severity()) < 0 && !"opened".equals(t.transition())) {
          alerts.add(alert(t, severity, startsAt, t.at())); // escalated past it: no longer firing at this severity
        }
      }
    }
    try {
      return mapper.writeValueAsString(alerts);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a tree of strings is always JSON", e);
    }
  }

  private ObjectNode alert(IncidentTransition t, Severity severity, long startsAt, long endsAt) {
    ObjectNode alert = mapper.createObjectNode();
    ObjectNode labels = alert.putObject("labels");
    labels.put("alertname", alertName(t.rule()));
    labels.put("entityType", t.entityType());
    labels.put("entityId", t.entityId());
    labels.put("rule", t.rule());
    if (t.metric() != null) { // a silent entity's incident has no metric
      labels.put("metric", t.metric());
    }
    labels.put("severity", severity.id());
    labels.put("incidentId", t.incidentId());
    ObjectNode annotations = alert.putObject("annotations");
    annotations.put("summary", t.entityType() + " " + t.entityId() + ": " + t.rule()
        + (t.metric() == null ? "" : " on " + t.metric()) + ", " + t.severity().id());
    annotations.put("description", "Incident " + t.incidentId() + " " + t.transition() + " at "
        + Instant.ofEpochMilli(t.at()) + " (reading time " + Instant.ofEpochMilli(t.ts()) + ")"
        + (t.alertId() == null ? "" : " by alert " + t.alertId()) + "; transition " + t.transitionId() + ".");
    alert.put("startsAt", Instant.ofEpochMilli(startsAt).toString());
    alert.put("endsAt", Instant.ofEpochMilli(endsAt).toString());
    if (!apiUrl.isEmpty()) {
      alert.put("generatorURL", apiUrl + "/api/v1/entities/" + encode(t.entityType()) + "/" + encode(t.entityId())
          + "/incidents");
    }
    return alert;
  }

  /** {@code TidewatchDelta} for {@code delta}: one alert name per rule, as Prometheus rules name theirs. */
  static String alertName(String rule) {
    return "Tidewatch" + rule.substring(0, 1).toUpperCase(Locale.ROOT) + rule.substring(1);
  }

  private static String encode(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
