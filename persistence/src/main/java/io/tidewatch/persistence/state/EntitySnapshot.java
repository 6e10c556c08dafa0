package io.tidewatch.persistence.state;

import io.tidewatch.persistence.anomaly.MetricHistory;
import io.tidewatch.persistence.window.OpenWindow;
import io.tidewatch.persistence.window.SessionWindows;
import io.tidewatch.persistence.window.SpecWindows;
import io.tidewatch.protocol.CborSerializable;
import io.tidewatch.protocol.EntityProtocol.AnomalyDetected;
import io.tidewatch.protocol.EntityProtocol.WindowClosed;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

/**
 * An immutable copy of an {@link EntityState}: what the snapshot store keeps (every {@code N} events) and what
 * recovery starts from. Restoring it gives exactly the state that replaying the journal up to it gives.
 *
 * @param version the shape of this record, for {@code JacksonMigration} when it changes
 * @param offsets highest recorded Kafka offset by {@code "topic/partition"}
 * @param lastClosedSessions per session spec: first event time and end of its latest closed session
 */
public record EntitySnapshot(
    int version,
    long readings,
    long lateReadings,
    long duplicates,
    long anomalies,
    long maxEventTime,
    Map<String, Long> offsets,
    Map<String, Double> lastValues,
    Map<String, Long> metricCounts,
    List<OpenWindow.Snapshot> openWindows,
    Map<String, List<Long>> lastClosedSessions,
    Map<String, List<WindowClosed>> recentWindows,
    List<String> windowsForgotten,
    Map<String, MetricHistory.Snapshot> histories,
    List<AnomalyDetected> recentAlerts,
    boolean alertsForgotten)
    implements CborSerializable {

  public static final int CURRENT_VERSION = 1;

  public static EntitySnapshot of(EntityState s) {
    Map<String, List<Long>> sessions = new HashMap<>();
    s.windows.forEach((spec, w) -> {
      if (w instanceof SessionWindows sessionWindows && sessionWindows.lastClosed() != null) {
        long[] last = sessionWindows.lastClosed();
        sessions.put(spec, List.of(last[0], last[1]));
      }
    });
    Map<String, List<WindowClosed>> recent = new HashMap<>();
    s.recentWindows.forEach((spec, kept) -> recent.put(spec, List.copyOf(kept)));
    Map<String, MetricHistory.Snapshot> histories = new HashMap<>();
    s.histories.forEach((metric, h) -> histories.put(metric, h.snapshot()));
    return new EntitySnapshot(
        CURRENT_VERSION,
        s.readings,
        s.lateReadings,
        s.duplicates,
        s.anomalies,
        s.maxEventTime,
        s.offsets.toMap(),
        s.lastValues(),
        s.metricCounts(),
        s.openWindows().stream().map(OpenWindow::snapshot).toList(),
        sessions,
        recent,
        List.copyOf(s.windowsForgotten),
        histories,
        List.copyOf(s.recentAlerts),
        s.alertsForgotten);
  }

  public EntityState restore(EntityTypeConfig config, String entityId) {
    EntityState s = new EntityState(config, entityId);
    s.readings = readings;
    s.lateReadings = lateReadings;
    s.duplicates = duplicates;
    s.anomalies = anomalies;
    s.maxEventTime = maxEventTime;
    s.offsets.putAll(offsets);
    lastValues.forEach((metric, last) -> s.metrics.put(metric.intern(), new MetricSummary(last, metricCounts.get(metric))));
    for (OpenWindow.Snapshot w : openWindows) {
      SpecWindows specWindows = s.windows.get(w.spec());
      if (specWindows != null) { // a spec removed from the configuration since: its open windows are dropped
        specWindows.restore(OpenWindow.restore(w));
      }
    }
    lastClosedSessions.forEach((spec, firstAndEnd) -> {
      if (s.windows.get(spec) instanceof SessionWindows sessionWindows) {
        sessionWindows.restoreLastClosed(firstAndEnd.get(0), firstAndEnd.get(1));
      }
    });
    recentWindows.forEach((spec, kept) -> s.recentWindows.put(spec, new ArrayDeque<>(kept)));
    if (!windowsForgotten.isEmpty()) {
      s.windowsForgotten = new HashSet<>(windowsForgotten);
    }
    histories.forEach((metric, h) -> s.histories.put(metric, MetricHistory.restore(h)));
    s.recentAlerts.addAll(recentAlerts);
    s.alertsForgotten = alertsForgotten;
    return s;
  }
}
