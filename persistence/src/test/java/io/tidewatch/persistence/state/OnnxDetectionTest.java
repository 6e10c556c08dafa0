package io.tidewatch.persistence.state;

import static io.tidewatch.persistence.state.Readings.MINUTE_WINDOWS;
import static io.tidewatch.persistence.state.Readings.T0;
import static io.tidewatch.protocol.EntityProtocol.DEFAULT_TOPIC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import io.tidewatch.persistence.anomaly.AnomalyRule;
import io.tidewatch.persistence.anomaly.IncidentPolicy;
import io.tidewatch.persistence.anomaly.SeverityBands;
import io.tidewatch.persistence.anomaly.TestModels;
import io.tidewatch.protocol.AlertView;
import io.tidewatch.protocol.EntityProtocol.AnomalyDetected;
import io.tidewatch.protocol.EntityProtocol.Event;
import io.tidewatch.protocol.EntityProtocol.IncidentChanged;
import io.tidewatch.protocol.EntityProtocol.IncidentState;
import io.tidewatch.protocol.EntityProtocol.SourcedReading;
import io.tidewatch.protocol.Severity;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The onnx rule in an entity (issue 18): a reading the model scores above the threshold is an alert carrying the
 * model's hash, graded by score / threshold, opening an incident that resolves on the model's score like the other
 * rules'; the same journal replayed gives the same state.
 */
class OnnxDetectionTest {

  private static final ObjectMapper CBOR = new ObjectMapper(new CBORFactory());

  @TempDir Path dir;

  private EntityTypeConfig onnx() {
    Path model = TestModels.write(dir, "distance.onnx", TestModels.distance(new float[] {20, 40}, 1));
    return MINUTE_WINDOWS.withAnomalies(
        List.of(new AnomalyRule.Onnx(
            List.of("temperature", "humidity"), model.toString(), 3.0, null, null, SeverityBands.DEFAULT)),
        new IncidentPolicy(0.8, 10_000));
  }

  /** One reading a second; {@code spikes} readings from {@code at} have the humidity 10 off its centre. */
  private static List<SourcedReading> readings(int count, int at, int spikes) {
    List<SourcedReading> readings = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      double humidity = i >= at && i < at + spikes ? 50 : 40 + (i % 3) * 0.5;
      Map<String, Double> metrics = i == 7 ? Map.of("humidity", 99.0) : Map.of("temperature", 20.0, "humidity", humidity);
      readings.add(new SourcedReading(T0 + i * 1_000L, metrics, null, Map.of(), 0, i));
    }
    return readings;
  }

  private static List<Event> record(EntityState state, List<SourcedReading> readings, List<Event> journal) {
    for (int i = 0; i < readings.size(); i += 10) {
      RecordPlan plan = RecordPlan.record(
          state, DEFAULT_TOPIC, readings.subList(i, Math.min(readings.size(), i + 10)), journal.size(), 42);
      journal.add(plan.journaled());
    }
    return journal;
  }

  private static <T> List<T> entries(List<Event> journal, Class<T> type) {
    return journal.stream().flatMap(row -> row.entries().stream()).filter(type::isInstance).map(type::cast).toList();
  }

  @Test
  void aReadingFarFromTheCentreIsAnAlertWithTheModelsHashAndOpensAnIncidentThatRecovers() {
    EntityTypeConfig config = onnx();
    String hash = ((AnomalyRule.Onnx) config.anomalies().rules().get(0)).session().hash();
    List<Event> journal = record(new EntityState(config, "sensor-00001"), readings(60, 30, 3), new ArrayList<>());

    List<AnomalyDetected> alerts = entries(journal, AnomalyDetected.class);
    assertEquals(3, alerts.size(), "the three spikes, not the normal readings nor the one without temperature");
    AnomalyDetected first = alerts.get(0);
    assertEquals(T0 + 30_000, first.ts());
    assertEquals("onnx", first.rule());
    assertEquals("temperature", first.metric());
    assertEquals(3.0, first.threshold());
    assertNull(first.previous());
    assertEquals(Severity.CRITICAL, first.severity(), "score 10 / threshold 3");
    assertEquals(hash, first.model());
    assertTrue(hash.matches("sha256:[0-9a-f]{64}"), hash);
    assertEquals(hash, AlertView.of("sensor", "sensor-00001", first).model());

    List<IncidentChanged> incidents = entries(journal, IncidentChanged.class);
    assertEquals(IncidentState.OPENED, incidents.get(0).transition());
    assertEquals("onnx", incidents.get(0).rule());
    assertEquals(first.alertId(), incidents.get(0).alertId());
    IncidentChanged resolved = incidents.get(incidents.size() - 1);
    assertEquals(IncidentState.RESOLVED, resolved.transition(), "scores back under 0.8 of the threshold: recovered");
    // The incident opens as its command (readings 30-39) is journaled: quiet from reading 40, resolved 10 s on.
    assertEquals(T0 + 50_000, resolved.ts());
  }

  @Test
  void theSameJournalReplayedGivesTheSameState() throws Exception {
    EntityTypeConfig config = onnx();
    EntityState live = new EntityState(config, "sensor-00002");
    List<Event> journal = record(live, readings(50, 45, 5), new ArrayList<>()); // ends with an incident open

    EntityState replayed = new EntityState(config, "sensor-00002");
    journal.forEach(replayed::apply);
    assertArrayEquals(
        CBOR.writeValueAsBytes(EntitySnapshot.of(live)), CBOR.writeValueAsBytes(EntitySnapshot.of(replayed)));

    List<SourcedReading> more = readings(80, 45, 5).subList(50, 80);
    assertEquals(record(live, more, new ArrayList<>(journal)), record(replayed, more, new ArrayList<>(journal)));
  }
}
