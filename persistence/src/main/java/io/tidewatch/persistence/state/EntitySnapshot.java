package io.tidewatch.persistence.state;

import io.tidewatch.persistence.anomaly.MetricHistory;
import io.tidewatch.persistence.anomaly.RcfForests;
import io.tidewatch.persistence.window.OpenWindow;
import io.tidewatch.persistence.window.SessionWindows;
import io.tidewatch.persistence.window.SpecWindows;
import io.tidewatch.protocol.CborSerializable;
import io.tidewatch.protocol.EntityProtocol.AnomalyDetected;
import io.tidewatch.protocol.EntityProtocol.EntityRegistered;
import io.tidewatch.protocol.EntityProtocol.IncidentChanged;
import io.tidewatch.protocol.EntityProtocol.SourcedReading;
import io.tidewatch.protocol.EntityProtocol.WindowClosed;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An immutable copy of an {@link EntityState}: what the snapshot store keeps (every {@code N} events) and what
 * recovery starts from. Restoring it gives exactly the state that replaying the journal up to it gives.
 *
 * @param version the shape of this record, for {@code JacksonMigration} when it changes
 * @param offsets highest recorded Kafka offset by {@code "topic/partition"}
 * @param lastClosedSessions per session spec: first event time and end of its latest closed session
 * @param recentWindowCauses per spec, for each of {@code recentWindows}: the reading that closed it, packed
 *     ({@link Caused#packed}); absent in version 1
 * @param recentAlertCauses for each of {@code recentAlerts}: the reading that raised it; absent in version 1
 * @param lastCause the last applied reading, packed; -1 for none
 * @param idleUnpublished windows closed by the idle timer, not yet marked published; absent in version 1
 * @param registration the entity's first event; absent before version 3 (entities then listed themselves first)
 * @param registrationCause the entity's first reading, packed; -1 for none
 * @param recentLate the latest late readings, newest first; absent before version 4 (an entity restored from an
 *     older snapshot lists only the late readings after it)
 * @param extraEntries entries journaled beyond one per row ({@code CommandJournaled}); absent before version 5,
 *     when every row held one entry, so 0
 * @param openIncidents incidents not resolved; absent before version 6 (no incidents then)
 * @param recentIncidents incident transitions, newest first, and the reading behind each (packed) in
 *     {@code recentIncidentCauses}; absent before version 6
 * @param idleAlerts alerts and {@code idleIncidents} incident transitions raised by silence, not yet marked
 *     published; absent before version 6
 * @param forests the state of each rcf rule's forest, by {@code AnomalyRule.Rcf#forestKey} ({@link RcfForests});
 *     empty for types without one; absent before version 6
 * @param expiredAt when the state expired ({@code EntityExpired}) if it heard nothing since, else null; absent
 *     (null) before version 7, when states did not expire
 * @param configVersion the version of the type's live configuration the state judges by; absent (null: the first)
 *     before version 7
 * @param lastRecordedAt processing time of the last command that recorded readings; absent (null: unknown) before
 *     version 8
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
    Map<String, List<Long>> recentWindowCauses,
    Map<String, MetricHistory.Snapshot> histories,
    List<AnomalyDetected> recentAlerts,
    List<Long> recentAlertCauses,
    long lastCause,
    List<WindowClosed> idleUnpublished,
    EntityRegistered registration,
    long registrationCause,
    List<SourcedReading> recentLate,
    long extraEntries,
    List<OpenIncident.Snapshot> openIncidents,
    List<IncidentChanged> recentIncidents,
    List<Long> recentIncidentCauses,
    List<AnomalyDetected> idleAlerts,
    List<IncidentChanged> idleIncidents,
    Map<String, byte[]> forests,
    Long expiredAt,
    Integer configVersion,
    Long lastRecordedAt)
    implements CborSerializable {

  /**
   * Version 2 added the causes of kept outputs and the unpublished idle windows, and dropped the forgotten flags;
   * version 3 the registration, listed in the read side with the entity's first outputs; version 4 the latest late
   * readings; version 5 the entries beyond one per journal row; version 6 the open incidents, the latest incident
   * transitions, what silence raised that is not published yet, and the rcf rules' forests; version 7 the expiry
   * (a metric without a last value, as an expiry leaves it, is in {@code metricCounts} only) and the version of the
   * type's live configuration; version 8 when the entity last recorded readings (processing time).
   */
  public static final int CURRENT_VERSION = 8;

  public static EntitySnapshot of(EntityState s) {
    Map<String, List<Long>> sessions = new HashMap<>();
    s.windows.forEach((spec, w) -> {
      if (w instanceof SessionWindows sessionWindows && sessionWindows.lastClosed() != null) {
        long[] last = sessionWindows.lastClosed();
        sessions.put(spec, List.of(last[0], last[1]));
      }
    });
    Map<String, List<WindowClosed>> recent = new HashMap<>();
    Map<String, List<Long>> recentCauses = new HashMap<>();
    s.recentWindows.forEach((spec, kept) -> {
      recent.put(spec, kept.stream().map(Caused::output).toList());
      recentCauses.put(spec, kept.stream().map(Caused::packed).toList());
    });
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
        recentCauses,
        histories,
        s.recentAlerts.stream().map(Caused::output).toList(),
        s.recentAlerts.stream().map(Caused::packed).toList(),
        new Caused<>(null, s.lastPartition, s.lastOffset).packed(),
        List.copyOf(s.idleUnpublished),
        s.registration == null ? null : s.registration.output(),
        s.registration == null ? -1 : s.registration.packed(),
        s.recentLate == null ? List.of() : List.copyOf(s.recentLate),
        s.extraEntries,
        s.incidents == null ? List.of() : s.incidents.stream().map(OpenIncident::snapshot).toList(),
        s.recentIncidents == null ? List.of() : s.recentIncidents.stream().map(Caused::output).toList(),
        s.recentIncidents == null ? List.of() : s.recentIncidents.stream().map(Caused::packed).toList(),
        List.copyOf(s.idleAlerts),
        List.copyOf(s.idleIncidents),
        s.forests == null ? Map.of() : s.forests.snapshot(),
        s.expired() ? s.expiredAt : null,
        s.configVersion,
        s.lastRecordedAt == 0 ? null : s.lastRecordedAt);
  }

  /** The state, for a type with the configuration file's version alone (tests). */
  public EntityState restore(EntityTypeConfig config, String entityId) {
    return restore(TypeVersions.of(config), entityId);
  }

  public EntityState restore(TypeVersions versions, String entityId) {
    EntityState s = new EntityState(versions, entityId);
    if (configVersion != null) {
      s.judgeBy(configVersion); // before the histories and forests: a fresh state has none to reconcile
    }
    s.readings = readings;
    s.lateReadings = lateReadings;
    s.duplicates = duplicates;
    s.anomalies = anomalies;
    s.maxEventTime = maxEventTime;
    s.offsets.putAll(offsets);
    // Every metric has a count; before version 7 every one had a last value too.
    metricCounts.forEach((metric, count) ->
        s.metrics.put(metric.intern(), new MetricSummary(lastValues.getOrDefault(metric, Double.NaN), count)));
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
    recentWindows.forEach((spec, kept) -> {
      List<Long> causes = recentWindowCauses == null ? null : recentWindowCauses.get(spec);
      ArrayDeque<Caused<WindowClosed>> restored = new ArrayDeque<>(kept.size());
      for (int i = 0; i < kept.size(); i++) {
        restored.addLast(Caused.unpack(kept.get(i), causes == null ? -1 : causes.get(i)));
      }
      s.recentWindows.put(spec, restored);
    });
    histories.forEach((metric, h) -> s.histories.put(metric, MetricHistory.restore(h)));
    for (int i = 0; i < recentAlerts.size(); i++) {
      s.recentAlerts.addLast(Caused.unpack(recentAlerts.get(i), recentAlertCauses == null ? -1 : recentAlertCauses.get(i)));
    }
    Caused<?> last = Caused.unpack(null, version < 2 ? -1 : lastCause);
    s.lastPartition = last.partition();
    s.lastOffset = last.offset();
    if (idleUnpublished != null && !idleUnpublished.isEmpty()) {
      s.idleUnpublished = new ArrayList<>(idleUnpublished);
    }
    if (registration != null) {
      s.registration = Caused.unpack(registration, registrationCause);
    }
    if (recentLate != null) {
      for (int i = recentLate.size() - 1; i >= 0; i--) { // oldest first, so the newest ends up first
        s.keepLate(recentLate.get(i));
      }
    }
    s.extraEntries = extraEntries;
    if (openIncidents != null && !openIncidents.isEmpty()) {
      s.incidents = new ArrayList<>(openIncidents.size());
      openIncidents.forEach(open -> s.incidents.add(OpenIncident.restore(open)));
    }
    if (idleAlerts != null && !idleAlerts.isEmpty()) {
      s.idleAlerts = new ArrayList<>(idleAlerts);
    }
    if (idleIncidents != null && !idleIncidents.isEmpty()) {
      s.idleIncidents = new ArrayList<>(idleIncidents);
    }
    if (forests != null && !forests.isEmpty() && s.rules.learns()) {
      s.forests = RcfForests.restore(s.rules.rules(), entityId, forests);
    }
    if (recentIncidents != null && !recentIncidents.isEmpty()) {
      s.recentIncidents = new ArrayDeque<>(recentIncidents.size());
      for (int i = 0; i < recentIncidents.size(); i++) {
        s.recentIncidents.addLast(Caused.unpack(recentIncidents.get(i), recentIncidentCauses.get(i)));
      }
    }
    if (expiredAt != null) {
      s.expiredAt = expiredAt;
    }
    if (lastRecordedAt != null) {
      s.lastRecordedAt = lastRecordedAt;
    }
    return s;
  }
}
