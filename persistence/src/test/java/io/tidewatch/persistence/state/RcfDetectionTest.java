package io.tidewatch.persistence.state;

import static io.tidewatch.persistence.state.Readings.MINUTE_WINDOWS;
import static io.tidewatch.persistence.state.Readings.T0;
import static io.tidewatch.protocol.EntityProtocol.DEFAULT_TOPIC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import io.tidewatch.persistence.anomaly.AnomalyRule;
import io.tidewatch.persistence.anomaly.IncidentPolicy;
import io.tidewatch.protocol.EntityProtocol.AnomalyDetected;
import io.tidewatch.protocol.EntityProtocol.Event;
import io.tidewatch.protocol.EntityProtocol.IncidentChanged;
import io.tidewatch.protocol.EntityProtocol.IncidentState;
import io.tidewatch.protocol.EntityProtocol.SourcedReading;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The rcf rule in an entity (issue 18): its hits are alerts with the per-metric attribution and open incidents
 * keyed by the metric of the largest share; a replay of the journal, or a recovery from a snapshot, rebuilds the
 * forest exactly, so the entity goes on scoring as it would have.
 */
class RcfDetectionTest {

  private static final EntityTypeConfig RCF = MINUTE_WINDOWS.withAnomalies(
      List.of(new AnomalyRule.Rcf(List.of("temperature", "humidity"), 256, 3.0)), new IncidentPolicy(0.8, 10_000));

  private static final ObjectMapper CBOR = new ObjectMapper(new CBORFactory());

  /** One reading a second: around 20 °C and 40 % with noise, the temperature at 35 from reading {@code shiftAt}. */
  private static List<SourcedReading> readings(int count, int shiftAt) {
    Random random = new Random(42);
    List<SourcedReading> readings = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      double temperature = (i < shiftAt ? 20 : 35) + random.nextGaussian() * 0.5;
      readings.add(new SourcedReading(T0 + i * 1_000L,
          Map.of("temperature", temperature, "humidity", 40 + random.nextGaussian() * 2), null, Map.of(), 0, i));
    }
    return readings;
  }

  /** Records the readings in commands of ten, returning the journal (one row per command). */
  private static List<Event> record(EntityState state, List<SourcedReading> readings, List<Event> journal) {
    for (int i = 0; i < readings.size(); i += 10) {
      RecordPlan plan = RecordPlan.record(
          state, DEFAULT_TOPIC, readings.subList(i, Math.min(readings.size(), i + 10)), journal.size(), 42);
      journal.add(plan.journaled());
    }
    return journal;
  }

  private static List<AnomalyDetected> alerts(List<Event> journal) {
    return journal.stream().flatMap(row -> row.entries().stream())
        .filter(AnomalyDetected.class::isInstance).map(AnomalyDetected.class::cast).toList();
  }

  @Test
  void aLevelShiftRaisesAnRcfAlertWithItsAttributionAndOpensAnIncidentOnTheMetricThatMoved() {
    List<Event> journal = record(new EntityState(RCF, "sensor-00001"), readings(320, 300), new ArrayList<>());

    List<AnomalyDetected> alerts = alerts(journal);
    assertFalse(alerts.isEmpty(), "the shift is caught");
    AnomalyDetected first = alerts.get(0);
    long readingNumber = (first.ts() - T0) / 1_000;
    assertTrue(readingNumber >= 300 && readingNumber < 305, "first hit at reading " + readingNumber);
    assertEquals("rcf", first.rule());
    assertEquals("temperature", first.metric());
    assertNull(first.previous());
    assertEquals(3.0, first.threshold());
    assertEquals(List.of("humidity", "temperature"), List.copyOf(first.attribution().keySet()));
    assertTrue(first.attribution().get("temperature") > first.attribution().get("humidity"));

    IncidentChanged opened = journal.stream().flatMap(row -> row.entries().stream())
        .filter(IncidentChanged.class::isInstance).map(IncidentChanged.class::cast).findFirst().orElseThrow();
    assertEquals(IncidentState.OPENED, opened.transition());
    assertEquals("rcf", opened.rule());
    assertEquals("temperature", opened.metric());
    assertEquals(first.alertId(), opened.alertId());
  }

  @Test
  void theSameJournalReplayedGivesTheSameScores() throws Exception {
    List<SourcedReading> readings = readings(400, 300);
    EntityState live = new EntityState(RCF, "sensor-00002");
    List<Event> journal = record(live, readings, new ArrayList<>());

    EntityState replayed = new EntityState(RCF, "sensor-00002");
    journal.forEach(replayed::apply);
    assertTrue(Arrays.equals(
        CBOR.writeValueAsBytes(EntitySnapshot.of(live)), CBOR.writeValueAsBytes(EntitySnapshot.of(replayed))),
        "the replayed forest is the live one, bit for bit");

    // Recording the same readings again, as a fresh entity fed the same journal's readings: the same alerts.
    List<Event> again = record(new EntityState(RCF, "sensor-00002"), readings, new ArrayList<>());
    assertEquals(alerts(journal), alerts(again));

    // And both go on scoring alike: the next readings raise the same alerts in each.
    List<SourcedReading> more = readings(460, 420).subList(400, 460);
    assertEquals(alerts(record(live, more, new ArrayList<>(journal))),
        alerts(record(replayed, more, new ArrayList<>(journal))));
  }

  @Test
  void anEntityRecoveredFromASnapshotScoresAsOneThatNeverStopped() throws Exception {
    List<SourcedReading> readings = readings(400, 330);
    EntityState running = new EntityState(RCF, "sensor-00003");
    List<Event> journal = record(running, readings.subList(0, 280), new ArrayList<>());

    byte[] stored = CBOR.writeValueAsBytes(EntitySnapshot.of(running));
    EntityState recovered = CBOR.readValue(stored, EntitySnapshot.class).restore(RCF, "sensor-00003");
    List<AnomalyDetected> fromRunning = alerts(record(running, readings.subList(280, 400), new ArrayList<>(journal)));
    List<AnomalyDetected> fromRecovered =
        alerts(record(recovered, readings.subList(280, 400), new ArrayList<>(journal)));
    assertFalse(fromRunning.isEmpty());
    assertEquals(fromRunning, fromRecovered);
  }

  @Test
  void typesWithoutAnRcfRuleKeepNoForest() {
    EntityState state = new EntityState(MINUTE_WINDOWS, "sensor-00004");
    record(state, readings(20, 100), new ArrayList<>());
    assertNull(state.forests);
    assertEquals(Map.of(), EntitySnapshot.of(state).forests());
  }
}
