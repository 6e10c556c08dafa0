package io.tidewatch.protocol;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.tidewatch.protocol.EntityProtocol.IncidentChanged;
import io.tidewatch.protocol.EntityProtocol.IncidentState;

/**
 * One transition of an incident as the {@code tidewatch.incidents} topic, the API's live stream and the notifier's
 * receivers see it (key = entity id).
 *
 * @param transitionId stable id of this transition, the idempotency key of its notifications: the incident id and
 *     the transition ({@code sensor-00042:137:opened}, {@code ...:escalated:critical}, {@code ...:resolved}); an
 *     incident escalates at most once to each severity, so no two transitions share it
 * @param transition {@code opened}, {@code escalated} or {@code resolved}
 * @param severity the incident's severity after the transition
 * @param alertId the hit that opened or escalated it; null for a resolution
 * @param ts event time of the reading behind the transition
 * @param at processing time of the transition, epoch milliseconds
 * @param openedAt processing time the incident opened (Alertmanager's {@code startsAt}); null in records written
 *     before it was carried
 * @param configVersion the version of the type's configuration the transition was judged by; null before versions
 */
public record IncidentTransition(
    String transitionId,
    String incidentId,
    String transition,
    String entityType,
    String entityId,
    String rule,
    String metric,
    Severity severity,
    String alertId,
    long ts,
    long at,
    Long openedAt,
    Integer configVersion)
    implements CborSerializable {

  public IncidentTransition(
      String transitionId, String incidentId, String transition, String entityType, String entityId, String rule,
      String metric, Severity severity, String alertId, long ts, long at, Long openedAt) {
    this(transitionId, incidentId, transition, entityType, entityId, rule, metric, severity, alertId, ts, at, openedAt,
        null);
  }

  /** A transition without its opening time, as records written before it was carried read. */
  public IncidentTransition(
      String transitionId, String incidentId, String transition, String entityType, String entityId, String rule,
      String metric, Severity severity, String alertId, long ts, long at) {
    this(transitionId, incidentId, transition, entityType, entityId, rule, metric, severity, alertId, ts, at, null);
  }

  /**
   * Where a transition sorts among those of the same incident in the same millisecond (one command may open and
   * escalate): the opening, escalations by severity, the resolution.
   */
  public static int rank(IncidentState transition, Severity severity) {
    return switch (transition) {
      case OPENED -> 0;
      case ESCALATED -> 1 + severity.ordinal();
      case RESOLVED -> 9;
    };
  }

  /**
   * Its place among transitions of the same time ({@code at}) in the live stream, which orders by time, then this:
   * {@code <rank>:<transitionId>}.
   */
  @JsonIgnore
  public String streamPosition() {
    return rank(IncidentState.of(transition), severity) + ":" + transitionId;
  }

  public static IncidentTransition of(String entityType, String entityId, IncidentChanged e) {
    String id = e.incidentId() + ":" + e.transition().id()
        + (e.transition() == IncidentState.ESCALATED ? ":" + e.severity().id() : "");
    return new IncidentTransition(
        id, e.incidentId(), e.transition().id(), entityType, entityId, e.rule(), e.metric(), e.severity(), e.alertId(),
        e.ts(), e.at(), e.openedAt(), e.configVersion());
  }
}
