package io.tidewatch.protocol;

import java.util.List;
import java.util.Map;

/**
 * The state of one entity as the HTTP API shows it (DESIGN §4): an immutable copy, never the entity's own state.
 *
 * @param watermarkMs max event time seen minus the allowed lateness; {@code Long.MIN_VALUE} before any reading
 * @param metricCounts readings seen per metric
 * @param expiredAt when the entity's state expired ({@code state-ttl}), epoch milliseconds; null unless it expired
 *     and heard nothing since
 */
public record EntityStateView(
    String entityType,
    String entityId,
    long readings,
    long lateReadings,
    long duplicates,
    long anomalies,
    long watermarkMs,
    long lastSeqNr,
    Map<String, Double> lastValues,
    Map<String, Long> metricCounts,
    List<WindowView> openWindows,
    List<WindowView> recentWindows,
    List<LateReading> recentLate,
    Long expiredAt)
    implements CborSerializable {

  /** A reading that arrived after a window that should hold it had closed (late for at least one window spec). */
  public record LateReading(long ts, Map<String, Double> metrics, String event) implements CborSerializable {}

  public EntityStateView {
    lastValues = Map.copyOf(lastValues);
    metricCounts = Map.copyOf(metricCounts);
    openWindows = List.copyOf(openWindows);
    recentWindows = List.copyOf(recentWindows);
    recentLate = List.copyOf(recentLate);
  }
}
