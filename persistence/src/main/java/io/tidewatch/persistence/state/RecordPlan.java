package io.tidewatch.persistence.state;

import io.tidewatch.persistence.anomaly.AnomalyHit;
import io.tidewatch.protocol.EntityProtocol.AnomalyDetected;
import io.tidewatch.protocol.EntityProtocol.DuplicatesIgnored;
import io.tidewatch.protocol.EntityProtocol.EntityRegistered;
import io.tidewatch.protocol.EntityProtocol.Event;
import io.tidewatch.protocol.EntityProtocol.IdleTimeAdvanced;
import io.tidewatch.protocol.EntityProtocol.Outputs;
import io.tidewatch.protocol.EntityProtocol.ReadingsRecorded;
import io.tidewatch.protocol.EntityProtocol.SourcedReading;
import io.tidewatch.protocol.EntityProtocol.WindowClosed;
import java.util.ArrayList;
import java.util.List;

/**
 * The events a command produces, decided by folding its readings one by one through a copy of the state:
 * readings up to each point where the watermark closes windows, the alerts they raised, then those
 * {@link WindowClosed} events, and so on. The result is therefore the same however the readings were batched, and
 * the event handler only has to apply what was decided. Alerts do not split the readings: applying an alert
 * changes nothing the later readings depend on, and fewer events mean fewer journal rows.
 */
public record RecordPlan(List<Event> events, int recorded, int duplicates) {

  public RecordPlan {
    events = List.copyOf(events);
  }

  /**
   * What the plan sends out: the windows it closes and the alerts it raises, plus {@code earlier} (the outputs of
   * redelivered readings, {@link EntityState#outputsOf}) first.
   */
  public Outputs outputs(Outputs earlier) {
    List<WindowClosed> windows = new ArrayList<>(earlier.windows());
    List<AnomalyDetected> alerts = new ArrayList<>(earlier.alerts());
    for (Event event : events) {
      if (event instanceof WindowClosed closed) {
        windows.add(closed);
      } else if (event instanceof AnomalyDetected alert) {
        alerts.add(alert);
      }
    }
    return windows.isEmpty() && alerts.isEmpty() ? Outputs.NONE : new Outputs(windows, alerts);
  }

  /**
   * @param lastSeqNr the entity's last sequence number: alert ids name the sequence number of their event, and an
   *     entity at 0 begins its journal with {@link EntityRegistered}
   * @param nowMs processing time, recorded as the detection time of alerts
   */
  public static RecordPlan of(
      EntityState state, String topic, List<SourcedReading> readings, long lastSeqNr, long nowMs) {
    Builder plan = new Builder(state, topic, lastSeqNr);
    if (lastSeqNr == 0 && !readings.isEmpty()) {
      plan.add(new EntityRegistered(nowMs));
    }
    int recorded = 0;
    int duplicates = 0;
    for (SourcedReading reading : readings) {
      if (plan.scratch.isDuplicate(topic, reading)) {
        duplicates++;
        continue;
      }
      recorded++;
      for (AnomalyHit hit : plan.scratch.detect(reading)) {
        plan.alerts.add(new PendingAlert(hit, reading.ts()));
      }
      plan.chunk.add(reading);
      plan.scratch.applyReading(topic, reading);
      List<WindowClosed> due = plan.scratch.dueWindows();
      if (!due.isEmpty()) {
        plan.flushChunk(state.entityId, nowMs);
        due.forEach(plan::add);
      }
    }
    plan.flushChunk(state.entityId, nowMs);
    if (duplicates > 0) {
      plan.add(new DuplicatesIgnored(duplicates));
    }
    return new RecordPlan(plan.events, recorded, duplicates);
  }

  /**
   * The entity heard nothing for {@code silentMs} of processing time: move its event time on by as much and close
   * what that makes due. Empty if nothing would close.
   */
  public static RecordPlan idle(EntityState state, long silentMs) {
    if (state.maxEventTime() == Long.MIN_VALUE) {
      return new RecordPlan(List.of(), 0, 0);
    }
    Builder plan = new Builder(state, null, 0);
    plan.scratch.apply(new IdleTimeAdvanced(state.maxEventTime() + silentMs));
    List<WindowClosed> due = plan.scratch.dueWindows();
    if (due.isEmpty()) {
      return new RecordPlan(List.of(), 0, 0);
    }
    plan.events.add(new IdleTimeAdvanced(state.maxEventTime() + silentMs));
    due.forEach(plan::add);
    return new RecordPlan(plan.events, 0, 0);
  }

  private static AnomalyDetected alert(String entityId, long seqNr, AnomalyHit hit, long ts, long nowMs) {
    return new AnomalyDetected(
        entityId + ":" + seqNr,
        hit.rule(),
        hit.metric(),
        hit.value(),
        Double.isNaN(hit.previous()) ? null : hit.previous(),
        hit.threshold(),
        ts,
        nowMs);
  }

  /** An alert raised by a reading of the current chunk; its event follows the chunk. */
  private record PendingAlert(AnomalyHit hit, long ts) {}

  private static final class Builder {
    final EntityState scratch;
    final String topic;
    final long lastSeqNr;
    final List<Event> events = new ArrayList<>();
    List<SourcedReading> chunk = new ArrayList<>();
    final List<PendingAlert> alerts = new ArrayList<>();

    Builder(EntityState state, String topic, long lastSeqNr) {
      this.scratch = state.copy();
      this.topic = topic;
      this.lastSeqNr = lastSeqNr;
    }

    long nextSeqNr() {
      return lastSeqNr + events.size() + 1;
    }

    /** The chunk's readings (already applied to the scratch state, one by one), then the alerts they raised. */
    void flushChunk(String entityId, long nowMs) {
      if (!chunk.isEmpty()) {
        events.add(new ReadingsRecorded(topic, chunk));
        chunk = new ArrayList<>();
      }
      for (PendingAlert pending : alerts) {
        add(alert(entityId, nextSeqNr(), pending.hit(), pending.ts(), nowMs));
      }
      alerts.clear();
    }

    void add(Event event) {
      scratch.apply(event);
      events.add(event);
    }
  }
}
