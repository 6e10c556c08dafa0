package io.tidewatch.persistence.state;

import static io.tidewatch.protocol.EntityProtocol.DEFAULT_TOPIC;
import static io.tidewatch.persistence.state.Readings.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import io.tidewatch.persistence.anomaly.AnomalyRule;
import io.tidewatch.persistence.anomaly.IncidentPolicy;
import io.tidewatch.persistence.anomaly.RcfForest;
import io.tidewatch.persistence.anomaly.SeverityBands;
import io.tidewatch.persistence.serialization.JournalFormats;
import io.tidewatch.persistence.window.WindowSpec;
import io.tidewatch.protocol.EntityProtocol.AnomalyDetected;
import io.tidewatch.protocol.EntityProtocol.IncidentChanged;
import io.tidewatch.protocol.EntityProtocol.IncidentState;
import io.tidewatch.protocol.EntityProtocol.Event;
import io.tidewatch.protocol.EntityProtocol.SourcedReading;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Recovery from a snapshot (serialized as the snapshot store would) followed by the rest of the journal gives
 * exactly the state that replaying the whole journal gives, for every window kind and the anomaly rules; the journal
 * holds one row per command, written and read in the journal's format, and its alerts are named by entry number.
 * An rcf rule's forest is compared by what it goes on to score ({@link #forestScores}): a restored point store
 * numbers its points in its own order, which no score depends on.
 */
class SnapshotProperties {

  private static final EntityTypeConfig EVERYTHING =
      EntityTypeConfig.of(
              "sensor",
              List.of(WindowSpec.tumbling(60_000), WindowSpec.sliding(120_000, 30_000), WindowSpec.session(20_000)),
              3_000)
          .withAnomalies(
              List.of(
                  new AnomalyRule.Delta(List.of("*"), 5.0),
                  new AnomalyRule.ZScore(List.of("t"), 2.0, 8, 4),
                  new AnomalyRule.Range(List.of("h"), 0, 90)),
              new IncidentPolicy(0.8, 2_000)) // short: incidents open, escalate and resolve within a case
          .withStateTtl(600_000);

  /** The same with a small rcf forest over both metrics, warm after 20 readings and easily fired. */
  private static final EntityTypeConfig EVERYTHING_AND_RCF = EVERYTHING.withAnomalies(
      Stream.concat(
              EVERYTHING.anomalies().rules().stream(),
              Stream.of(new AnomalyRule.Rcf(List.of("t", "h"), 20, 1.2, 5, 16, 2, 7, SeverityBands.DEFAULT)))
          .toList(),
      EVERYTHING.anomalies().incidents());

  private static final ObjectMapper CBOR = new ObjectMapper(new CBORFactory());
  private static final ObjectMapper JSON =
      new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

  private static final ObjectMapper JOURNAL = new ObjectMapper(new CBORFactory()).registerModule(new JournalFormats());

  private static Event stored(Event row) throws Exception {
    return JOURNAL.readValue(JOURNAL.writeValueAsBytes(row), row.getClass());
  }

  private static String canonical(EntityState state) throws Exception {
    ObjectNode snapshot = (ObjectNode) JSON.readTree(JSON.writeValueAsString(EntitySnapshot.of(state)));
    snapshot.set("forests", JSON.valueToTree(forestScores(state)));
    return JSON.writeValueAsString(snapshot);
  }

  /**
   * Per forest, how many readings it learned and what a copy of it scores for the same 40 readings next: equal
   * for two forests that will score every reading alike.
   */
  private static Map<String, List<Double>> forestScores(EntityState state) {
    Map<String, List<Double>> scores = new TreeMap<>();
    if (state.forests != null) {
      for (RcfForest forest : state.forests.forests()) {
        RcfForest copy = RcfForest.restore(forest.rule(), state.entityId, forest.snapshot());
        List<Double> next = new ArrayList<>(List.of((double) forest.learned()));
        Random random = new Random(5);
        for (int i = 0; i < 40; i++) {
          double v = random.nextInt(61);
          copy.learn(Map.of("t", v, "h", v * 1.6));
          next.add(copy.score());
        }
        scores.put(forest.rule().forestKey(), next);
      }
    }
    return scores;
  }

  @TestFactory
  Stream<DynamicTest> recoveringFromASnapshotGivesTheSameStateAsAFullReplay() {
    return RandomStreams.cases(200, "snapshot", seed -> () -> check(EVERYTHING, new Random(seed)));
  }

  @TestFactory
  Stream<DynamicTest> recoveringFromASnapshotGivesTheSameForestAsAFullReplay() {
    return RandomStreams.cases(100, "snapshot with rcf", seed -> () -> check(EVERYTHING_AND_RCF, new Random(seed)));
  }

  private static void check(EntityTypeConfig type, Random random) throws Exception {
    List<Long> times = RandomStreams.times(random, T0, 120, 50, 30);
    List<SourcedReading> stream = new ArrayList<>();
    for (int i = 0; i < times.size(); i++) {
      double v = random.nextInt(61);
      stream.add(
          new SourcedReading(times.get(i), Map.of("t", v, "h", v * 1.6), i % 3 == 0 ? "tick" : null, Map.of(), i % 2, i));
    }
    int snapshotAt = random.nextInt(1000);
    EntityState live = new EntityState(type, "sensor-1");
    List<Event> journal = new ArrayList<>(); // one row per command, each as read back from the journal's format
    for (int i = 0; i < stream.size(); i += 7) {
      RecordPlan plan = RecordPlan.record(live, DEFAULT_TOPIC, stream.subList(i, Math.min(stream.size(), i + 7)), journal.size(), 42);
      journal.add(stored(plan.journaled()));
    }
    RecordPlan idle = RecordPlan.idle(live, 600_000);
    if (idle.journaled() != null) {
      journal.add(stored(idle.journaled()));
    }
    if (random.nextBoolean()) { // the state expires, then readings start fresh baselines
      journal.add(stored(RecordPlan.expire(live, 600_000, 43).journaled()));
      long after = live.maxEventTime() + 1_000;
      List<SourcedReading> tail = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        double v = random.nextInt(61);
        tail.add(new SourcedReading(after + i * 1_000L, Map.of("t", v, "h", v * 1.6), null, Map.of(), 0, 1_000 + i));
      }
      for (int i = 0; i < tail.size(); i += 7) {
        RecordPlan plan = RecordPlan.record(live, DEFAULT_TOPIC, tail.subList(i, Math.min(tail.size(), i + 7)), journal.size(), 44);
        journal.add(stored(plan.journaled()));
      }
    }
    List<Event> entries = journal.stream().flatMap(row -> row.entries().stream()).toList();
    for (int i = 0; i < entries.size(); i++) {
      if (entries.get(i) instanceof AnomalyDetected alert) {
        assertEquals("sensor-1:" + (i + 1), alert.alertId(), "an alert id names its entry number");
      }
      if (entries.get(i) instanceof IncidentChanged opened && opened.transition() == IncidentState.OPENED) {
        assertEquals("sensor-1:" + (i + 1), opened.incidentId(), "an incident id names its opening's entry number");
      }
    }

    int cut = journal.isEmpty() ? 0 : snapshotAt % (journal.size() + 1);
    EntityState upToCut = new EntityState(type, "sensor-1");
    journal.subList(0, cut).forEach(upToCut::apply);
    byte[] stored = CBOR.writeValueAsBytes(EntitySnapshot.of(upToCut));
    EntityState recovered = CBOR.readValue(stored, EntitySnapshot.class).restore(type, "sensor-1");
    journal.subList(cut, journal.size()).forEach(recovered::apply);

    EntityState replayed = new EntityState(type, "sensor-1");
    journal.forEach(replayed::apply);

    assertEquals(canonical(replayed), canonical(recovered));
    assertEquals(canonical(live), canonical(replayed));
  }
}
