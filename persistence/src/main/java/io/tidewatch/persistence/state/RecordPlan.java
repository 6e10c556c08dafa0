package io.tidewatch.persistence.state;

import io.tidewatch.persistence.anomaly.AnomalyHit;
import io.tidewatch.persistence.anomaly.IncidentPolicy;
import io.tidewatch.protocol.EntityProtocol.AnomalyDetected;
import io.tidewatch.protocol.EntityProtocol.CommandJournaled;
import io.tidewatch.protocol.EntityProtocol.DuplicatesIgnored;
import io.tidewatch.protocol.EntityProtocol.EntityExpired;
import io.tidewatch.protocol.EntityProtocol.EntityRegistered;
import io.tidewatch.protocol.EntityProtocol.Event;
import io.tidewatch.protocol.EntityProtocol.IdleTimeAdvanced;
import io.tidewatch.protocol.EntityProtocol.IncidentChanged;
import io.tidewatch.protocol.EntityProtocol.IncidentState;
import io.tidewatch.protocol.EntityProtocol.Outputs;
import io.tidewatch.protocol.EntityProtocol.ReadingsRecorded;
import io.tidewatch.protocol.EntityProtocol.SourcedReading;
import io.tidewatch.protocol.EntityProtocol.WindowClosed;
import io.tidewatch.protocol.Severity;
import java.util.ArrayList;
import java.util.List;

/**
 * What a command did to an entity: its readings folded one by one into the state, in place, and the events that
 * fold stands for — readings up to each point where the watermark closes windows, the alerts they raised, then those
 * {@link WindowClosed} events, and so on. Each reading is folded once: the events are the journal's record of a
 * change already made, and {@link EntityState#apply} makes the same change from them on recovery and replay, through
 * the same steps. The result is the same however the readings were batched. Alerts do not split the readings:
 * applying an alert changes nothing the later readings depend on. All of a command's events go to the journal as
 * one row ({@link #journaled}).
 *
 * <p>Folding in place is safe in the entity because a failed journal write stops it: Pekko then recovers a new
 * state from the journal, and the changed one is dropped with the events that did not land.
 *
 * @param events the command's entries, in order
 * @param journaled the one event the command journals: its only entry, or a {@link CommandJournaled} of them all;
 *     null if there are none
 * @param state the state after the command: the one given, or a new one if that was the never-changed initial state
 */
public record RecordPlan(List<Event> events, Event journaled, int recorded, int duplicates, EntityState state) {

  private static RecordPlan of(List<Event> events, int recorded, int duplicates, EntityState state) {
    if (events.isEmpty()) {
      return new RecordPlan(List.of(), null, recorded, duplicates, state);
    }
    List<Event> entries = List.copyOf(events); // once: the combined event keeps this very list
    state.journaledAsOne(entries.size()); // what applying the combined event would count
    return new RecordPlan(entries, CommandJournaled.of(entries), recorded, duplicates, state);
  }

  /**
   * What the plan sends out: the windows it closes, the alerts it raises and the entity's registration if it begins
   * the journal, plus {@code earlier} (the outputs of redelivered readings, {@link EntityState#outputsOf}, taken
   * before the fold) first.
   */
  public Outputs outputs(Outputs earlier) {
    List<WindowClosed> windows = new ArrayList<>(earlier.windows());
    List<AnomalyDetected> alerts = new ArrayList<>(earlier.alerts());
    List<IncidentChanged> incidents = new ArrayList<>(earlier.incidents());
    EntityRegistered registration = earlier.registration();
    for (Event event : events) {
      if (event instanceof WindowClosed closed) {
        windows.add(closed);
      } else if (event instanceof AnomalyDetected alert) {
        alerts.add(alert);
      } else if (event instanceof IncidentChanged incident) {
        incidents.add(incident);
      } else if (event instanceof EntityRegistered registered) {
        registration = registered;
      }
    }
    Outputs outputs = new Outputs(windows, alerts, incidents, registration);
    return outputs.isEmpty() ? Outputs.NONE : outputs;
  }

  /**
   * Records {@code readings} into {@code state}, skipping those already recorded (redeliveries).
   *
   * @param lastSeqNr the entity's last sequence number: an entity at 0 begins its journal with {@link
   *     EntityRegistered}; alert ids name the entry number of their event ({@link CommandJournaled})
   * @param nowMs processing time, recorded as the detection time of alerts
   */
  public static RecordPlan record(
      EntityState state, String topic, List<SourcedReading> readings, long lastSeqNr, long nowMs) {
    return record(state, topic, readings, state.configVersion(), lastSeqNr, nowMs);
  }

  /**
   * As above, with the readings judged by the rules of version {@code configVersion} of the type's configuration
   * (the one whose pipeline shaped them), which the state must know; their {@link ReadingsRecorded} names it.
   */
  public static RecordPlan record(
      EntityState state, String topic, List<SourcedReading> readings, int configVersion, long lastSeqNr, long nowMs) {
    return record(state, topic, readings, configVersion, lastSeqNr, nowMs, 0);
  }

  /**
   * As above, for an entity that heard nothing for {@code silentMs} of processing time before these readings: if
   * that expires its state ({@link #expires}), the plan journals {@link EntityExpired} first, in the same row, so the
   * readings start fresh baselines.
   */
  public static RecordPlan record(EntityState state, String topic, List<SourcedReading> readings, int configVersion,
      long lastSeqNr, long nowMs, long silentMs) {
    Builder plan = new Builder(state.writable(), topic, state.entriesAt(lastSeqNr));
    if (lastSeqNr == 0 && !readings.isEmpty()) {
      plan.add(new EntityRegistered(nowMs));
    }
    if (!readings.isEmpty() && expires(state, silentMs)) {
      plan.add(new EntityExpired(nowMs, silentMs));
    }
    int recorded = 0;
    int duplicates = 0;
    List<WindowClosed> due = new ArrayList<>(2);
    List<OpenIncident> resolved = new ArrayList<>(1);
    for (SourcedReading reading : readings) {
      if (plan.state.isDuplicate(topic, reading)) {
        duplicates++;
        continue;
      }
      if (recorded++ == 0) { // only readings recorded name a version: a batch of duplicates changes nothing
        plan.state.judgeBy(configVersion);
      }
      for (AnomalyHit hit : plan.state.detect(reading)) {
        plan.alerts.add(new PendingAlert(hit, reading.ts()));
      }
      plan.chunk.add(reading);
      plan.state.applyReading(topic, reading);
      for (AnomalyHit hit : plan.state.learnedHits(reading)) { // scored by applyReading, before the forests learned it
        plan.alerts.add(new PendingAlert(hit, reading.ts()));
      }
      plan.state.collectDue(plan.state.watermark(), due);
      if (!due.isEmpty()) {
        plan.flushChunk(nowMs);
        due.forEach(plan::add);
        due.clear();
      }
      if (plan.state.incidents != null && !plan.state.incidents.isEmpty()) {
        plan.resolveSilence(reading.ts(), nowMs);
        plan.state.collectResolved(reading.ts(), resolved);
      }
      if (!resolved.isEmpty()) { // right after the reading, so that a replay resolves it at the same point
        plan.flushChunk(nowMs);
        for (OpenIncident open : resolved) {
          plan.add(new IncidentChanged(open.id, IncidentState.RESOLVED, open.rule, open.metric, open.severity, null,
              reading.ts(), nowMs, open.openedAt, plan.state.configVersion));
        }
        resolved.clear();
      }
    }
    plan.flushChunk(nowMs);
    if (duplicates > 0) {
      plan.add(new DuplicatesIgnored(duplicates));
    }
    return of(plan.events, recorded, duplicates, plan.state);
  }

  /**
   * The entity heard nothing for {@code silentMs} of processing time: its event time moves on by as much, closing
   * what that makes due. Changes nothing, and plans no event, if nothing would close.
   */
  public static RecordPlan idle(EntityState state, long silentMs) {
    List<WindowClosed> due = dueAfterSilence(state, silentMs);
    if (due.isEmpty()) {
      return of(List.of(), 0, 0, state);
    }
    Builder plan = new Builder(state.writable(), null, 0);
    plan.add(new IdleTimeAdvanced(state.maxEventTime() + silentMs));
    due.forEach(plan::add);
    return of(plan.events, 0, 0, plan.state);
  }

  /**
   * The entity heard nothing for {@code silentMs} of processing time, at least its type's {@code silent-after}: a hit
   * of the {@value IncidentPolicy#SILENT} rule on all its metrics and the incident it opens. Plans nothing if its
   * silence is already raised or it never recorded a reading.
   *
   * @param lastSeqNr the entity's last sequence number, for the entry numbers the ids name
   */
  public static RecordPlan silence(EntityState state, long silentMs, long lastSeqNr, long nowMs) {
    IncidentPolicy policy = state.config.anomalies().incidents();
    if (state.silenceRaised() || state.maxEventTime() == Long.MIN_VALUE || !policy.watchesSilence()) {
      return of(List.of(), 0, 0, state);
    }
    Builder plan = new Builder(state.writable(), null, state.entriesAt(lastSeqNr));
    String alertId = state.entityId + ":" + plan.nextEntry();
    plan.add(new AnomalyDetected(alertId, IncidentPolicy.SILENT, IncidentPolicy.ALL_METRICS, silentMs / 1000.0, null,
        policy.silentAfterMs() / 1000.0, state.maxEventTime(), nowMs, Severity.WARNING, null, null, state.configVersion));
    plan.add(new IncidentChanged(state.entityId + ":" + plan.nextEntry(), IncidentState.OPENED, IncidentPolicy.SILENT,
        IncidentPolicy.ALL_METRICS, Severity.WARNING, alertId, state.maxEventTime(), nowMs, nowMs,
        state.configVersion));
    return of(plan.events, 0, 0, plan.state);
  }

  /**
   * The entity heard nothing for {@code silentMs} of processing time, at least its type's {@code state-ttl}: its state
   * expires ({@link EntityExpired}). Plans nothing if the type's state does not expire, the state already expired or
   * never recorded a reading, or windows are still open (the idle timer closes them first: ttl ≥ idle-close).
   */
  public static RecordPlan expire(EntityState state, long silentMs, long nowMs) {
    if (!expires(state, silentMs)) {
      return of(List.of(), 0, 0, state);
    }
    Builder plan = new Builder(state.writable(), null, 0);
    plan.add(new EntityExpired(nowMs, silentMs));
    return of(plan.events, 0, 0, plan.state);
  }

  /** True if {@link #expire} would expire the state. Changes nothing. */
  public static boolean expires(EntityState state, long silentMs) {
    return state.config.expiresState() && silentMs >= state.config.stateTtlMs() && !state.expired()
        && state.readings() > 0 && !state.hasOpenWindows();
  }

  /** True if {@link #idle} would close windows. Changes nothing. */
  public static boolean closesAfterSilence(EntityState state, long silentMs) {
    return !dueAfterSilence(state, silentMs).isEmpty();
  }

  private static List<WindowClosed> dueAfterSilence(EntityState state, long silentMs) {
    List<WindowClosed> due = new ArrayList<>(2);
    if (state.maxEventTime() != Long.MIN_VALUE) {
      state.collectDue(state.watermarkAt(state.maxEventTime() + silentMs), due);
    }
    return due;
  }

  private static AnomalyDetected alert(EntityState state, long entry, AnomalyHit hit, long ts, long nowMs) {
    return new AnomalyDetected(
        state.entityId + ":" + entry,
        hit.rule(),
        hit.metric(),
        hit.value(),
        Double.isNaN(hit.previous()) ? null : hit.previous(),
        hit.threshold(),
        ts,
        nowMs,
        hit.severity(),
        hit.attribution(),
        hit.model(),
        state.configVersion);
  }

  /** An alert raised by a reading of the current chunk; its event follows the chunk. */
  private record PendingAlert(AnomalyHit hit, long ts) {}

  private static final class Builder {
    final EntityState state;
    final String topic;
    final long lastEntry;
    final List<Event> events = new ArrayList<>();
    List<SourcedReading> chunk = new ArrayList<>();
    final List<PendingAlert> alerts = new ArrayList<>();

    /** @param lastEntry the entry number of the entity's last journaled entry (0 for none) */
    Builder(EntityState state, String topic, long lastEntry) {
      this.state = state;
      this.topic = topic;
      this.lastEntry = lastEntry;
    }

    long nextEntry() {
      return lastEntry + events.size() + 1;
    }

    /**
     * The chunk's readings (already folded into the state, one by one), then the alerts they raised, each followed
     * by the incident it opens or escalates.
     */
    void flushChunk(long nowMs) {
      if (!chunk.isEmpty()) {
        events.add(new ReadingsRecorded(topic, chunk, state.configVersion, nowMs));
        state.lastRecordedAt = nowMs; // as applying it does
        chunk = new ArrayList<>();
      }
      for (PendingAlert pending : alerts) {
        AnomalyDetected alert = alert(state, nextEntry(), pending.hit(), pending.ts(), nowMs);
        add(alert);
        OpenIncident open = state.openIncident(alert.rule(), alert.metric());
        if (open == null) {
          add(new IncidentChanged(state.entityId + ":" + nextEntry(), IncidentState.OPENED, alert.rule(),
              alert.metric(), alert.severity(), alert.alertId(), alert.ts(), nowMs, nowMs, state.configVersion));
        } else if (alert.severity().compareTo(open.severity) > 0) {
          add(new IncidentChanged(open.id, IncidentState.ESCALATED, alert.rule(), alert.metric(), alert.severity(),
              alert.alertId(), alert.ts(), nowMs, open.openedAt, state.configVersion));
        }
      }
      alerts.clear();
    }

    /** Data came back: the incident silence opened resolves right after the reading that ends it. */
    void resolveSilence(long ts, long nowMs) {
      OpenIncident silence = state.openSilence();
      if (silence != null) {
        flushChunk(nowMs);
        add(new IncidentChanged(silence.id, IncidentState.RESOLVED, silence.rule, silence.metric, silence.severity,
            null, ts, nowMs, silence.openedAt, state.configVersion));
      }
    }

    /** An event that is not readings changes the state exactly as its replay will. */
    void add(Event event) {
      state.apply(event);
      events.add(event);
    }
  }
}
