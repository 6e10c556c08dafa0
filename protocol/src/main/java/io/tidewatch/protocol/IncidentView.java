package io.tidewatch.protocol;

/**
 * One incident as the HTTP API shows it: where its transitions have taken it so far.
 *
 * @param state {@code open} or {@code resolved}
 * @param severity the highest severity it reached
 * @param alertId the hit that opened it
 * @param openedAt processing time of the opening, epoch milliseconds; escalatedAt and resolvedAt likewise, null if
 *     it never escalated or has not resolved
 * @param openedTs event time of the hit that opened it; resolvedTs of the reading that resolved it (null while open):
 *     where it lies beside the entity's windows
 * @param configVersion the version of the type's configuration its latest transition was judged by (null in rows
 *     written before versions)
 */
public record IncidentView(
    String incidentId,
    String entityType,
    String entityId,
    String rule,
    String metric,
    String state,
    Severity severity,
    String alertId,
    long openedAt,
    Long escalatedAt,
    Long resolvedAt,
    Long openedTs,
    Long resolvedTs,
    Integer configVersion)
    implements CborSerializable {

  public static final String OPEN = "open";
  public static final String RESOLVED = "resolved";

  /**
   * The incident after {@code change} (null before its first transition). Transitions arriving again or out of order
   * change nothing they should not: a resolved incident stays resolved, a severity never goes down.
   */
  public static IncidentView after(IncidentView current, String type, String id, EntityProtocol.IncidentChanged change) {
    IncidentView was = current != null ? current : new IncidentView(change.incidentId(), type, id, change.rule(),
        change.metric(), OPEN, change.severity(), null, change.openedAt(), null, null, null, null, null);
    Severity severity = was.severity == null || change.severity().compareTo(was.severity) > 0 ? change.severity() : was.severity;
    // The version of the furthest transition (the tables' write times order them the same way, IncidentTransition#rank).
    Integer version = current == null || IncidentTransition.rank(change.transition(), change.severity()) >= current.rank()
        ? change.configVersion() : current.configVersion;
    return switch (change.transition()) {
      case OPENED -> new IncidentView(was.incidentId, type, id, was.rule, was.metric, was.state, severity,
          change.alertId(), change.openedAt(), was.escalatedAt, was.resolvedAt, change.ts(), was.resolvedTs, version);
      case ESCALATED -> new IncidentView(was.incidentId, type, id, was.rule, was.metric, was.state, severity,
          was.alertId, was.openedAt, change.at(), was.resolvedAt, was.openedTs, was.resolvedTs, version);
      case RESOLVED -> new IncidentView(was.incidentId, type, id, was.rule, was.metric, RESOLVED, severity,
          was.alertId, was.openedAt, was.escalatedAt, change.at(), was.openedTs, change.ts(), version);
    };
  }

  /** The rank of the furthest transition this view holds (IncidentTransition#rank). */
  private int rank() {
    if (RESOLVED.equals(state)) {
      return IncidentTransition.rank(EntityProtocol.IncidentState.RESOLVED, severity);
    }
    return escalatedAt != null ? IncidentTransition.rank(EntityProtocol.IncidentState.ESCALATED, severity) : 0;
  }
}
