package io.tidewatch.persistence.state;

import static io.tidewatch.persistence.state.Readings.MINUTE_WINDOWS;
import static io.tidewatch.persistence.state.Readings.T0;
import static io.tidewatch.persistence.state.Readings.reading;
import static io.tidewatch.protocol.EntityProtocol.DEFAULT_TOPIC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.tidewatch.persistence.anomaly.AnomalyRule;
import io.tidewatch.protocol.EntityProtocol.AnomalyDetected;
import io.tidewatch.protocol.EntityProtocol.EntityExpired;
import io.tidewatch.protocol.EntityProtocol.Event;
import io.tidewatch.protocol.EntityProtocol.SourcedReading;
import io.tidewatch.protocol.EntityStateView;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A type's state-ttl: an entity silent that long journals {@link EntityExpired}, which clears its anomaly baselines
 * and last values and keeps its counters; its next reading starts fresh baselines; replay and snapshots agree.
 */
class StateExpiryTest {

  private static final long TTL = 3_600_000;
  private static final long NOW = 1_765_000_000_000L;
  private static final EntityTypeConfig EXPIRING =
      MINUTE_WINDOWS.withAnomalies(List.of(new AnomalyRule.Delta(List.of("*"), 5.0))).withStateTtl(TTL);
  private static final ObjectMapper CBOR = new ObjectMapper(new CBORFactory());
  private static final ObjectMapper JSON =
      new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

  private final EntityState state = new EntityState(EXPIRING, "sensor-1");
  private final List<Event> journal = new ArrayList<>();

  private RecordPlan journaled(RecordPlan plan) {
    if (plan.journaled() != null) {
      journal.add(plan.journaled());
    }
    return plan;
  }

  private RecordPlan record(SourcedReading... readings) {
    return journaled(RecordPlan.record(state, DEFAULT_TOPIC, List.of(readings), journal.size(), NOW));
  }

  /** Two readings, then silence long enough that the idle timer closed their window. */
  private void heardThenSilent() {
    record(reading(0, T0 + 1_000, 20.0), reading(1, T0 + 2_000, 21.0));
    journaled(RecordPlan.idle(state, TTL));
    assertFalse(state.hasOpenWindows());
  }

  private static List<AnomalyDetected> alerts(RecordPlan plan) {
    return plan.events().stream().filter(AnomalyDetected.class::isInstance).map(AnomalyDetected.class::cast).toList();
  }

  @Test
  void expiryClearsBaselinesAndLastValuesAndKeepsCounters() {
    heardThenSilent();
    record(reading(0, T0 + 1_000, 20.0)); // a redelivery: counted as a duplicate
    EntityStateView before = state.toView(journal.size());

    RecordPlan expiry = journaled(RecordPlan.expire(state, TTL, NOW));

    assertEquals(List.of(new EntityExpired(NOW, TTL)), expiry.events());
    EntityStateView after = state.toView(journal.size());
    assertEquals(NOW, after.expiredAt());
    assertEquals(Map.of(), after.lastValues(), "last values cleared");
    assertEquals(Map.of("temperature", 2L), after.metricCounts(), "readings per metric kept");
    assertEquals(before.readings(), after.readings());
    assertEquals(before.duplicates(), after.duplicates());
    assertEquals(before.anomalies(), after.anomalies());
    assertEquals(before.watermarkMs(), after.watermarkMs(), "the watermark stays: closed windows do not reopen");
    assertTrue(state.histories.isEmpty(), "rule histories cleared");
  }

  @Test
  void aReadingAfterExpiryStartsFreshBaselines() {
    heardThenSilent();
    journaled(RecordPlan.expire(state, TTL, NOW));
    long later = state.maxEventTime() + 1_000;

    RecordPlan first = record(reading(2, later, 40.0));
    RecordPlan second = record(reading(3, later + 1_000, 50.0));

    assertEquals(List.of(), alerts(first), "40 is not compared with 21 from before the expiry");
    assertEquals(1, alerts(second).size(), "the delta rule judges again, against 40");
    assertEquals(40.0, alerts(second).get(0).previous());
    EntityStateView view = state.toView(journal.size());
    assertNull(view.expiredAt(), "heard again: no longer expired");
    assertEquals(Map.of("temperature", 50.0), view.lastValues());
    assertEquals(Map.of("temperature", 4L), view.metricCounts());
    assertEquals(4, view.readings());
  }

  @Test
  void readingsAfterTheTtlExpireTheStateFirstInTheSameRowAndStartFreshBaselines() {
    heardThenSilent();
    long later = state.maxEventTime() + 1_000;

    RecordPlan back = journaled(RecordPlan.record(
        state, DEFAULT_TOPIC, List.of(reading(2, later, 40.0)), state.configVersion(), journal.size(), NOW + TTL, TTL));

    assertEquals(new EntityExpired(NOW + TTL, TTL), back.events().get(0), "ahead of the readings");
    assertEquals(List.of(back.journaled()), journal.subList(journal.size() - 1, journal.size()), "one row");
    assertEquals(List.of(), alerts(back), "40 is not compared with 21 from before the expiry");
    EntityStateView view = state.toView(journal.size());
    assertNull(view.expiredAt(), "heard again");
    assertEquals(Map.of("temperature", 40.0), view.lastValues());
    assertEquals(NOW + TTL, state.lastRecordedAt());

    EntityState replayed = new EntityState(EXPIRING, "sensor-1");
    journal.forEach(replayed::apply);
    assertEquals(view, replayed.toView(journal.size()), "replay gives the same state");
    assertEquals(NOW + TTL, replayed.lastRecordedAt(), "the journal knows when it last heard readings");
  }

  @Test
  void readingsWithinTheTtlDoNotExpireTheState() {
    heardThenSilent();
    long later = state.maxEventTime() + 1_000;

    RecordPlan back = journaled(RecordPlan.record(
        state, DEFAULT_TOPIC, List.of(reading(2, later, 40.0)), state.configVersion(), journal.size(), NOW, TTL - 1));

    assertTrue(back.events().stream().noneMatch(EntityExpired.class::isInstance), back.events().toString());
    assertEquals(1, alerts(back).size(), "judged against 21: the baselines stayed");
  }

  @Test
  void aVersion7SnapshotRestoresWithoutALastRecordedTime() throws Exception {
    record(reading(0, T0 + 1_000, 20.0));
    assertEquals(NOW, state.lastRecordedAt());
    ObjectNode v7 = (ObjectNode) JSON.valueToTree(EntitySnapshot.of(state));
    v7.put("version", 7);
    v7.remove("lastRecordedAt");

    EntityState restored = JSON.treeToValue(v7, EntitySnapshot.class).restore(EXPIRING, "sensor-1");

    assertEquals(0, restored.lastRecordedAt(), "unknown: the entity takes its recovery, as before");
    assertEquals(NOW, CBOR.readValue(CBOR.writeValueAsBytes(EntitySnapshot.of(state)), EntitySnapshot.class)
        .restore(EXPIRING, "sensor-1").lastRecordedAt());
  }

  @Test
  void expiresOnlyWhenDueSilentWithClosedWindowsAndNotYetExpired() {
    assertFalse(RecordPlan.expires(state, TTL), "never recorded a reading");
    record(reading(0, T0 + 1_000, 20.0));
    assertFalse(RecordPlan.expires(state, TTL), "its window is still open: the idle timer closes it first");
    journaled(RecordPlan.idle(state, TTL));
    assertFalse(RecordPlan.expires(state, TTL - 1), "not silent for the ttl yet");
    assertTrue(RecordPlan.expires(state, TTL));
    journaled(RecordPlan.expire(state, TTL, NOW));
    assertFalse(RecordPlan.expires(state, 2 * TTL), "already expired");
    assertEquals(List.of(), RecordPlan.expire(state, 2 * TTL, NOW + TTL).events());

    EntityState neverExpires = new EntityState(MINUTE_WINDOWS, "sensor-2");
    RecordPlan.record(neverExpires, DEFAULT_TOPIC, List.of(reading(0, T0 + 1_000, 20.0)), 0, NOW);
    RecordPlan.idle(neverExpires, TTL);
    assertFalse(RecordPlan.expires(neverExpires, Long.MAX_VALUE / 2), "state-ttl off");
  }

  @Test
  void replayAndSnapshotsGiveTheStateTheEntityHad() throws Exception {
    heardThenSilent();
    journaled(RecordPlan.expire(state, TTL, NOW));
    int expiredAtRow = journal.size();
    long later = state.maxEventTime() + 1_000;
    record(reading(2, later, 40.0), reading(3, later + 1_000, 43.0));

    for (int cut = 0; cut <= journal.size(); cut++) {
      EntityState upToCut = new EntityState(EXPIRING, "sensor-1");
      journal.subList(0, cut).forEach(upToCut::apply);
      byte[] stored = CBOR.writeValueAsBytes(EntitySnapshot.of(upToCut));
      EntityState recovered = CBOR.readValue(stored, EntitySnapshot.class).restore(EXPIRING, "sensor-1");
      assertEquals(canonical(upToCut), canonical(recovered), "snapshot after " + cut + " rows");
      assertEquals(cut == expiredAtRow, recovered.expired(), "expired only between its expiry and the next reading");
      journal.subList(cut, journal.size()).forEach(recovered::apply);
      assertEquals(canonical(state), canonical(recovered), "snapshot after " + cut + " rows, then the rest");
    }
  }

  @Test
  void aVersion6SnapshotRestoresAsNeverExpired() throws Exception {
    record(reading(0, T0 + 1_000, 20.0));
    ObjectNode v6 = (ObjectNode) JSON.valueToTree(EntitySnapshot.of(state));
    v6.put("version", 6);
    v6.remove("expiredAt");

    EntityState restored = JSON.treeToValue(v6, EntitySnapshot.class).restore(EXPIRING, "sensor-1");

    assertFalse(restored.expired());
    assertEquals(Map.of("temperature", 20.0), restored.toView(1).lastValues());
    assertEquals(Map.of("temperature", 1L), restored.toView(1).metricCounts());
  }

  private static String canonical(EntityState state) throws Exception {
    return JSON.writeValueAsString(EntitySnapshot.of(state));
  }

  @Test
  void stateTtlIsOffADurationOrStopsTheNodeNamingItsKey() {
    assertEquals(0, types("").get("sensor").stateTtlMs(), "off by default");
    assertEquals(7 * 86_400_000L, types("tidewatch.entity-types.sensor.state-ttl = 7d").get("sensor").stateTtlMs());

    ConfigException notADuration =
        assertThrows(ConfigException.class, () -> types("tidewatch.entity-types.sensor.state-ttl = soon"));
    assertTrue(notADuration.getMessage().contains("tidewatch.entity-types.sensor.state-ttl"), notADuration.getMessage());

    ConfigException beforeIdleClose =
        assertThrows(ConfigException.class, () -> types("tidewatch.entity-types.sensor.state-ttl = 30s"));
    assertTrue(beforeIdleClose.getMessage().contains("tidewatch.entity-types.sensor.state-ttl"),
        beforeIdleClose.getMessage());
    assertTrue(beforeIdleClose.getMessage().contains("idle-close"), beforeIdleClose.getMessage());
  }

  private static Map<String, EntityTypeConfig> types(String hocon) {
    return EntityTypes.fromConfig(ConfigFactory.parseString(hocon).withFallback(ConfigFactory.parseResources("entities.conf")))
        .byName();
  }
}
