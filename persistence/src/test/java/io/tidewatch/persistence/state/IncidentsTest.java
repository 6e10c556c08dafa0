package io.tidewatch.persistence.state;

import static io.tidewatch.persistence.state.Readings.MINUTE_WINDOWS;
import static io.tidewatch.persistence.state.Readings.T0;
import static io.tidewatch.persistence.state.Readings.reading;
import static io.tidewatch.protocol.EntityProtocol.DEFAULT_TOPIC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidewatch.persistence.anomaly.AnomalyRule;
import io.tidewatch.persistence.anomaly.IncidentPolicy;
import io.tidewatch.protocol.EntityProtocol;
import io.tidewatch.protocol.EntityProtocol.AnomalyDetected;
import io.tidewatch.protocol.EntityProtocol.Event;
import io.tidewatch.protocol.EntityProtocol.IncidentChanged;
import io.tidewatch.protocol.EntityProtocol.IncidentState;
import io.tidewatch.protocol.EntityProtocol.Outputs;
import io.tidewatch.protocol.EntityProtocol.ReadingsRecorded;
import io.tidewatch.protocol.EntityProtocol.SourcedReading;
import io.tidewatch.protocol.Severity;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Incidents (DESIGN §3, issue 18): hits of one rule on one metric open an incident, worse hits escalate it, and it
 * resolves once the metric stayed inside the recovery band for the keep-firing time of event time.
 */
class IncidentsTest {

  /** Delta 5; back below 80 % of it (|Δ| <= 4) for 10 s resolves. */
  private static final EntityTypeConfig DELTA =
      MINUTE_WINDOWS.withAnomalies(List.of(new AnomalyRule.Delta(List.of("*"), 5.0)), new IncidentPolicy(0.8, 10_000));

  private final EntityState state = new EntityState(DELTA, "sensor-00001");
  private final List<Event> journal = new ArrayList<>();
  private long offset;

  private RecordPlan record(long ts, double... temperatures) {
    List<SourcedReading> readings = new ArrayList<>();
    for (double t : temperatures) {
      readings.add(reading(offset++, ts, t));
    }
    RecordPlan plan = RecordPlan.record(state, DEFAULT_TOPIC, readings, journal.size(), ts + 100);
    if (plan.journaled() != null) {
      journal.add(plan.journaled());
    }
    return plan;
  }

  private static List<IncidentChanged> incidents(List<Event> events) {
    return events.stream().filter(IncidentChanged.class::isInstance).map(IncidentChanged.class::cast).toList();
  }

  @Test
  void aHitOpensAnIncidentRightAfterItsAlertNamingIt() {
    record(T0, 20.0);
    RecordPlan plan = record(T0 + 1_000, 20.0, 27.0, 27.5);

    List<Event> events = plan.events();
    assertInstanceOf(ReadingsRecorded.class, events.get(0));
    AnomalyDetected alert = assertInstanceOf(AnomalyDetected.class, events.get(1));
    IncidentChanged opened = assertInstanceOf(IncidentChanged.class, events.get(2));
    assertEquals(IncidentState.OPENED, opened.transition());
    assertEquals(alert.alertId(), opened.alertId());
    assertEquals("delta", opened.rule());
    assertEquals("temperature", opened.metric());
    assertEquals(Severity.WARNING, opened.severity()); // |Δ| 7 / 5 = 1.4
    assertEquals("sensor-00001:" + (journal.get(0).entries().size() + 3), opened.incidentId(), "its entry number");
    assertEquals(List.of(opened), plan.outputs(Outputs.NONE).incidents());
  }

  @Test
  void furtherHitsOfTheSameRuleAndMetricJoinTheOpenIncidentAndOnlyWorseOnesEscalateIt() {
    record(T0, 20.0);
    record(T0 + 1_000, 27.0); // warning: opened
    RecordPlan plan = record(T0 + 2_000, 20.5, 28.0, 40.0); // Δ 7.5 = 1.5 error, Δ 12 = 2.4 critical

    List<IncidentChanged> changes = incidents(plan.events());
    assertEquals(List.of(IncidentState.ESCALATED, IncidentState.ESCALATED),
        changes.stream().map(IncidentChanged::transition).toList());
    assertEquals(List.of(Severity.ERROR, Severity.CRITICAL), changes.stream().map(IncidentChanged::severity).toList());
    String incidentId = incidents(journal.get(1).entries()).get(0).incidentId();
    assertTrue(changes.stream().allMatch(c -> c.incidentId().equals(incidentId)));
    assertEquals(0, incidents(record(T0 + 3_000, 33.0).events()).size(), "a warning on a critical incident changes nothing");
  }

  @Test
  void resolvesOnceTheMetricStayedInsideTheRecoveryBandForTheKeepFiringTime() {
    record(T0, 20.0);
    record(T0 + 1_000, 27.0); // opened
    assertEquals(0, incidents(record(T0 + 2_000, 27.0).events()).size(), "inside the band since 2 s");
    assertEquals(0, incidents(record(T0 + 11_000, 24.0).events()).size(), "|Δ| 3: still inside, 9 s");
    RecordPlan resolved = record(T0 + 12_000, 24.5, 24.0);

    List<Event> events = resolved.events();
    IncidentChanged change = assertInstanceOf(IncidentChanged.class, events.get(1));
    assertEquals(IncidentState.RESOLVED, change.transition());
    assertEquals(T0 + 12_000, change.ts());
    assertEquals(1, ((ReadingsRecorded) events.get(0)).readings().size(), "right after the reading that resolved it");
    assertEquals(1, ((ReadingsRecorded) events.get(2)).readings().size());
    assertEquals(0, incidents(record(T0 + 40_000, 24.0).events()).size(), "resolved once");
  }

  @Test
  void aValueBetweenTheRecoveryBandAndTheThresholdKeepsTheIncidentOpen() {
    record(T0, 20.0);
    record(T0 + 1_000, 27.0); // opened
    record(T0 + 2_000, 27.0); // inside since 2 s
    record(T0 + 8_000, 31.5); // |Δ| 4.5 = 0.9: no hit, but outside the band
    assertEquals(0, incidents(record(T0 + 15_000, 31.5).events()).size(), "inside again since 15 s only");
    assertEquals(IncidentState.RESOLVED, incidents(record(T0 + 25_000, 31.5).events()).get(0).transition());
  }

  @Test
  void aHitAfterTheResolutionOpensANewIncident() {
    record(T0, 20.0);
    record(T0 + 1_000, 27.0);
    record(T0 + 2_000, 27.0);
    record(T0 + 12_000, 27.0); // resolved
    IncidentChanged reopened = incidents(record(T0 + 13_000, 40.0).events()).get(0); // |Δ| 13 = 2.6

    assertEquals(IncidentState.OPENED, reopened.transition());
    assertEquals(Severity.CRITICAL, reopened.severity());
    String first = incidents(journal.get(1).entries()).get(0).incidentId();
    assertTrue(!reopened.incidentId().equals(first), "a new incident id");
  }

  @Test
  void aRedeliveryAnswersWithTheIncidentTransitionsOfTheReadingsItRepeats() {
    record(T0, 20.0);
    long hit = offset;
    RecordPlan plan = record(T0 + 1_000, 27.0);
    List<SourcedReading> again = List.of(reading(hit, T0 + 1_000, 27.0));

    assertEquals(incidents(plan.events()), state.outputsOf(DEFAULT_TOPIC, again).incidents());
  }

  @Test
  void silenceRaisesAHitAndAnIncidentOnAllMetricsThatTheNextReadingResolves() throws Exception {
    EntityState watched = new EntityState(
        MINUTE_WINDOWS.withAnomalies(List.of(), new IncidentPolicy(0.8, 10_000, 120_000)), "sensor-00002");
    List<Event> rows = new ArrayList<>();
    RecordPlan first = RecordPlan.record(watched, DEFAULT_TOPIC, List.of(reading(0, T0, 20.0)), 0, T0);
    rows.add(first.journaled());
    RecordPlan silence = RecordPlan.silence(watched, 125_000, rows.size(), T0 + 125_000);
    rows.add(silence.journaled());

    AnomalyDetected hit = assertInstanceOf(AnomalyDetected.class, silence.events().get(0));
    assertEquals("silent", hit.rule());
    assertEquals("*", hit.metric());
    assertEquals(125.0, hit.value(), "silent for, in seconds");
    assertEquals(120.0, hit.threshold());
    assertEquals(T0, hit.ts(), "the event time of the last reading");
    assertEquals("sensor-00002:3", hit.alertId(), "registered, readings, then the hit");
    IncidentChanged opened = assertInstanceOf(IncidentChanged.class, silence.events().get(1));
    assertEquals(IncidentState.OPENED, opened.transition());
    assertEquals(hit.alertId(), opened.alertId());
    assertEquals(new Outputs(List.of(), List.of(hit), List.of(opened), null), watched.idleOutputs(), "the entity publishes them");
    Outputs redelivered = watched.outputsOf(DEFAULT_TOPIC, List.of(reading(0, T0, 20.0)));
    assertEquals(List.of(), redelivered.alerts(), "no reading caused it: a redelivery does not send it");
    assertEquals(List.of(), redelivered.incidents());
    assertEquals(List.of(), RecordPlan.silence(watched, 300_000, rows.size(), T0 + 300_000).events(), "raised once");

    RecordPlan back = RecordPlan.record(watched, DEFAULT_TOPIC,
        List.of(reading(1, T0 + 200_000, 20.0), reading(2, T0 + 201_000, 20.0)), rows.size(), T0 + 300_000);
    rows.add(back.journaled());
    IncidentChanged resolved = incidents(back.events()).get(0);
    assertEquals(IncidentState.RESOLVED, resolved.transition());
    assertEquals(opened.incidentId(), resolved.incidentId());
    assertEquals(T0 + 200_000, resolved.ts(), "by the first reading back");
    assertEquals(1, ((ReadingsRecorded) back.events().get(0)).readings().size(), "right after it (and the window it closed)");

    EntityState replayed = new EntityState(watched.config, "sensor-00002");
    rows.forEach(replayed::apply);
    ObjectMapper json = new ObjectMapper();
    assertEquals(json.writeValueAsString(EntitySnapshot.of(watched)), json.writeValueAsString(EntitySnapshot.of(replayed)));
    watched.apply(new EntityProtocol.IdleOutputsPublished(0, 1, 1));
    assertEquals(Outputs.NONE.windows(), watched.idleOutputs().windows());
    assertTrue(watched.idleOutputs().isEmpty(), "marked published");
  }

  @Test
  void replayingTheJournalRebuildsTheSameOpenIncidentsAndRecoveryProgress() throws Exception {
    record(T0, 20.0);
    record(T0 + 1_000, 27.0);
    record(T0 + 2_000, 27.0, 33.0); // |Δ| 6 = 1.2: a warning, no escalation; outside the band
    record(T0 + 3_000, 33.0);
    EntityState replayed = new EntityState(DELTA, "sensor-00001");
    journal.forEach(replayed::apply);

    ObjectMapper json = new ObjectMapper();
    assertEquals(json.writeValueAsString(EntitySnapshot.of(state)), json.writeValueAsString(EntitySnapshot.of(replayed)));
    // Both resolve at the same reading.
    List<Event> liveEvents = record(T0 + 13_000, 33.0).events();
    RecordPlan replayedPlan =
        RecordPlan.record(replayed, DEFAULT_TOPIC, List.of(reading(offset - 1, T0 + 13_000, 33.0)), journal.size() - 1, T0 + 13_100);
    assertEquals(liveEvents, replayedPlan.events());
  }
}
