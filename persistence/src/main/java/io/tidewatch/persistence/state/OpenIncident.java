package io.tidewatch.persistence.state;

import io.tidewatch.protocol.EntityProtocol.IncidentChanged;
import io.tidewatch.protocol.Severity;

/**
 * An incident of the entity that has not resolved: which rule on which metric, how severe it got, and since when
 * (event time) the metric has stayed inside the recovery band — {@link #NOT_QUIET} while it is outside, or since the
 * last hit. Changed by readings ({@link EntityState#applyReading}) as well as by incident events, the same way live
 * and on replay.
 */
public final class OpenIncident {

  static final long NOT_QUIET = Long.MIN_VALUE;

  final String id;
  final String rule;
  final String metric;
  final long openedAt;
  Severity severity;
  long quietSince = NOT_QUIET;

  OpenIncident(String id, String rule, String metric, long openedAt, Severity severity) {
    this.id = id;
    this.rule = rule;
    this.metric = metric;
    this.openedAt = openedAt;
    this.severity = severity;
  }

  static OpenIncident of(IncidentChanged opened) {
    return new OpenIncident(opened.incidentId(), opened.rule(), opened.metric(), opened.openedAt(), opened.severity());
  }

  boolean is(String rule, String metric) {
    return this.rule.equals(rule) && this.metric.equals(metric);
  }

  /** For snapshots. */
  public record Snapshot(String id, String rule, String metric, long openedAt, Severity severity, long quietSince) {}

  Snapshot snapshot() {
    return new Snapshot(id, rule, metric, openedAt, severity, quietSince);
  }

  static OpenIncident restore(Snapshot s) {
    OpenIncident incident = new OpenIncident(s.id(), s.rule(), s.metric(), s.openedAt(), s.severity());
    incident.quietSince = s.quietSince();
    return incident;
  }
}
