package io.tidewatch.persistence.state;

import static io.tidewatch.persistence.state.Readings.MINUTE_WINDOWS;
import static io.tidewatch.persistence.state.Readings.T0;
import static io.tidewatch.persistence.state.Readings.reading;
import static io.tidewatch.protocol.EntityProtocol.DEFAULT_TOPIC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidewatch.persistence.anomaly.AnomalyRule;
import io.tidewatch.persistence.anomaly.IncidentPolicy;
import io.tidewatch.protocol.EntityProtocol.AnomalyDetected;
import io.tidewatch.protocol.EntityProtocol.Event;
import io.tidewatch.protocol.EntityProtocol.IncidentChanged;
import io.tidewatch.protocol.EntityProtocol.IncidentState;
import io.tidewatch.protocol.EntityProtocol.ReadingsRecorded;
import io.tidewatch.protocol.EntityProtocol.SourcedReading;
import io.tidewatch.protocol.TypeConfigProtocol.History;
import io.tidewatch.protocol.TypeConfigProtocol.Sources;
import io.tidewatch.protocol.TypeConfigProtocol.Version;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Live configuration (issue 19): each command's readings are judged by the rules of the version of the type's
 * configuration it names, the events name it, and a replay of the journal rebuilds the same state under the versions
 * of their time.
 */
class LiveConfigurationTest {

  /**
   * This node's file: a delta of 10; the recovery band 80 % for 10 s. The journaled version 1 ({@link #FILE}) has a
   * delta of 4: the file changed since, and what the journal says wins.
   */
  private static final EntityTypeConfig SENSOR = MINUTE_WINDOWS.withAnomalies(
      List.of(new AnomalyRule.Delta(List.of("temperature"), 10.0)), new IncidentPolicy(0.8, 10_000));
  private static final Sources FILE = new Sources("[{rule = delta, metrics = [temperature], threshold = 4}]", "[]");

  private final TypeVersions versions = TypeVersions.of(SENSOR);
  private final EntityState state = new EntityState(versions, "sensor-00001");
  private final List<Event> journal = new ArrayList<>();
  private long offset;

  private static History history(Sources... each) {
    List<Version> versions = new ArrayList<>();
    for (int i = 0; i < each.length; i++) {
      versions.add(new Version(i + 1, each[i], i == 0 ? Version.FILE : "rules", i == 0 ? "file" : "alice", T0 + i));
    }
    return new History("sensor", versions);
  }

  private static Sources rules(String anomalies) {
    return new Sources(anomalies, "[]");
  }

  private RecordPlan record(int version, long ts, double... temperatures) {
    List<SourcedReading> readings = new ArrayList<>();
    for (double t : temperatures) {
      readings.add(reading(offset++, ts, t));
    }
    RecordPlan plan = RecordPlan.record(state, DEFAULT_TOPIC, readings, version, journal.size(), ts + 100);
    if (plan.journaled() != null) {
      journal.add(plan.journaled());
    }
    return plan;
  }

  private EntityState replayed() {
    EntityState replay = new EntityState(versions, "sensor-00001");
    journal.forEach(replay::apply);
    return replay;
  }

  private static <T> List<T> entries(List<Event> events, Class<T> kind) {
    return events.stream().flatMap(e -> e.entries().stream()).filter(kind::isInstance).map(kind::cast).toList();
  }

  @Test
  void readingsAreJudgedByTheRulesOfTheVersionTheCommandNamesAndItsEventsNameIt() {
    versions.update(history(FILE, rules("[{rule = delta, metrics = [temperature], threshold = 1}]")));
    record(1, T0, 20.0, 23.0); // Δ 3 under version 1's threshold of 4: nothing
    RecordPlan plan = record(2, T0 + 1_000, 25.0); // Δ 2 under a threshold of 1: a hit

    ReadingsRecorded recorded = entries(plan.events(), ReadingsRecorded.class).get(0);
    AnomalyDetected alert = entries(plan.events(), AnomalyDetected.class).get(0);
    IncidentChanged opened = entries(plan.events(), IncidentChanged.class).get(0);
    assertEquals(2, recorded.configVersion());
    assertEquals(1.0, alert.threshold());
    assertEquals(2, alert.configVersion());
    assertEquals(2, opened.configVersion());
    assertEquals(1, entries(journal.subList(0, 1), ReadingsRecorded.class).get(0).configVersion());
    assertEquals(2, state.configVersion());
  }

  @Test
  void aStateMadeBeforeTheHistoryWasHeardJudgesByTheJournaledFirstVersionNotByThisNodesFile() {
    versions.update(history(FILE));
    record(1, T0, 20.0);
    RecordPlan plan = record(1, T0 + 1_000, 26.0); // Δ 6: over the journaled 4, under this file's 10

    assertEquals(4.0, entries(plan.events(), AnomalyDetected.class).get(0).threshold());
  }

  @Test
  void aReplayOfTheJournalRebuildsTheStateUnderTheVersionsOfItsTime() {
    versions.update(history(FILE,
        rules("[{rule = zscore, metrics = [temperature], k = 2, window = 5, min-samples = 3}]"),
        rules("[{rule = delta, metrics = [temperature], threshold = 3}]")));
    record(1, T0, 20.0, 21.0, 35.0);
    record(2, T0 + 1_000, 20.0, 20.5, 21.0, 20.0, 40.0);
    record(3, T0 + 2_000, 41.0, 30.0);
    record(1, T0 + 3_000, 45.0, 20.0); // back to the first: versions need not only grow for the fold

    EntityState replay = replayed();
    assertEquals(state.toView(journal.size()), replay.toView(journal.size()));
    assertEquals(state.configVersion(), replay.configVersion());
    assertEquals(state.anomalies(), replay.anomalies());
    assertTrue(state.anomalies() >= 3, "each version's rules fired: " + state.anomalies());
    EntityState restored = EntitySnapshot.of(state).restore(versions, "sensor-00001");
    assertEquals(state.toView(journal.size()), restored.toView(journal.size()));
    assertEquals(1, restored.configVersion());
    // What the views leave out (the rules' memory) shows in what the next readings do: the same in all three.
    for (int version = 1; version <= 3; version++) {
      List<SourcedReading> next = List.of(reading(offset, T0 + 4_000, 30.0), reading(offset + 1, T0 + 4_500, 44.0));
      long seqNr = journal.size();
      RecordPlan live = RecordPlan.record(state, DEFAULT_TOPIC, next, version, seqNr, T0);
      assertEquals(live.events(), RecordPlan.record(replay, DEFAULT_TOPIC, next, version, seqNr, T0).events());
      assertEquals(live.events(), RecordPlan.record(restored, DEFAULT_TOPIC, next, version, seqNr, T0).events());
      journal.add(live.journaled());
      offset += 2;
    }
  }

  @Test
  void anIncidentOfARuleTheNewVersionNoLongerHasResolvesAsReadingsCome() {
    versions.update(history(FILE, rules("[]")));
    record(1, T0, 20.0, 35.0); // Δ 15: opened
    record(2, T0 + 1_000, 90.0); // no rules: no hit, and quiet from here
    RecordPlan plan = record(2, T0 + 12_000, 95.0);

    List<IncidentChanged> resolved = entries(plan.events(), IncidentChanged.class);
    assertEquals(1, resolved.size());
    assertEquals(IncidentState.RESOLVED, resolved.get(0).transition());
    assertEquals(2, resolved.get(0).configVersion());
  }

  @Test
  void aMetricHistoryStaysWhileTheNewRulesRememberItAlikeAndStartsAgainOtherwise() {
    String zscore = "{rule = zscore, metrics = [temperature], k = 2, window = 5, min-samples = 2}";
    versions.update(history(FILE,
        rules("[" + zscore + "]"),
        rules("[" + zscore + ", {rule = range, metrics = [temperature], min = -100, max = 1000}]"),
        rules("[{rule = zscore, metrics = [temperature], k = 2, window = 6, min-samples = 2}]")));
    record(2, T0, 20.0, 21.0, 20.0, 21.0);
    RecordPlan sameDepth = record(3, T0 + 1_000, 150.0); // the z-score's five values stay: far off them
    assertEquals(List.of("zscore"), entries(sameDepth.events(), AnomalyDetected.class).stream().map(AnomalyDetected::rule).toList());
    RecordPlan deeper = record(4, T0 + 2_000, 150.0, -150.0); // another depth: the history starts again
    assertEquals(List.of(), entries(deeper.events(), AnomalyDetected.class));
  }

  @Test
  void aUnitChangedLiveStartsTheMetricsMemoryAgainRatherThanFireOnTheJump() {
    String delta = "[{rule = delta, metrics = [temperature], threshold = 5}]";
    versions.update(history(FILE, rules(delta),
        new Sources(delta, "[{convert = temperature, from = degC, to = degF}]")));
    record(2, T0, 20.0, 21.0);
    RecordPlan inFahrenheit = record(3, T0 + 1_000, 70.0, 71.0); // 21 °C is 69.8 °F: no change worth an alert

    assertEquals(List.of(), entries(inFahrenheit.events(), AnomalyDetected.class));
    RecordPlan jump = record(3, T0 + 2_000, 90.0); // a change of 19 °F, over the threshold of 5 °C = 9 °F
    assertEquals(9.0, entries(jump.events(), AnomalyDetected.class).get(0).threshold(), 1e-9);
  }

  @Test
  void aVersionThisNodeCannotCompileIsLeftOutWithTheKeyAndTheReason() {
    Map<Integer, String> failed =
        versions.update(history(FILE, rules("[{rule = delta, metrics = [temperature]}]"))).failed();

    assertTrue(failed.get(2).startsWith("anomalies[0]"), failed.get(2));
    assertNull(versions.get(2));
    assertThrows(IllegalStateException.class, () -> record(2, T0, 20.0));
  }

  @Test
  void whatWaitsForAVersionGetsItWhenTheHistoryBringsIt() {
    List<String> fetched = new ArrayList<>();
    versions.onMissing(fetched::add);
    var waiting = versions.await(2).toCompletableFuture();
    assertEquals(List.of("sensor"), fetched);
    versions.update(history(FILE, rules("[]")));
    assertEquals(2, waiting.join().number());
    assertEquals(List.of(), waiting.join().rules().rules());
  }
}
