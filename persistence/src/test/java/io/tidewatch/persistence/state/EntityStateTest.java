package io.tidewatch.persistence.state;

import static io.tidewatch.protocol.EntityProtocol.DEFAULT_TOPIC;
import static io.tidewatch.persistence.state.Readings.MINUTE_WINDOWS;
import static io.tidewatch.persistence.state.Readings.T0;
import static io.tidewatch.persistence.state.Readings.reading;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.tidewatch.persistence.anomaly.AnomalyRule;
import io.tidewatch.protocol.EntityProtocol.AnomalyDetected;
import io.tidewatch.protocol.EntityProtocol.DuplicatesIgnored;
import io.tidewatch.protocol.EntityProtocol.EntityRegistered;
import io.tidewatch.protocol.EntityProtocol.ReadingsRecorded;
import io.tidewatch.protocol.EntityProtocol.Event;
import io.tidewatch.protocol.EntityProtocol.SourcedReading;
import io.tidewatch.protocol.EntityProtocol.WindowClosed;
import io.tidewatch.protocol.EntityStateView;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EntityStateTest {

  private final EntityState state = new EntityState(MINUTE_WINDOWS, "sensor-00001");
  /** The journal's rows: one event per command, as the entity persists them. */
  private final List<Event> journal = new ArrayList<>();

  private RecordPlan record(SourcedReading... readings) {
    return record(state, journal, readings);
  }

  private static RecordPlan record(EntityState state, List<Event> journal, SourcedReading... readings) {
    RecordPlan plan = RecordPlan.record(state, DEFAULT_TOPIC, List.of(readings), journal.size(), 0);
    if (plan.journaled() != null) {
      journal.add(plan.journaled());
    }
    return plan;
  }

  private static List<Event> entries(List<Event> rows) {
    return rows.stream().flatMap(row -> row.entries().stream()).toList();
  }

  @Test
  void theInitialStateStaysEmptyWhateverIsAppliedToIt() {
    // Pekko starts a restarted entity from the very same empty-state object; it must not carry earlier events.
    EntityState initial = EntityState.initial(MINUTE_WINDOWS, "sensor-00001");
    EntityState next =
        initial.apply(new ReadingsRecorded(DEFAULT_TOPIC, List.of(reading(7, T0 + 1_000, 20.0), reading(8, T0 + 2_000, 21.0))));

    assertEquals(2, next.readings());
    assertEquals(0, initial.readings());
    assertEquals(Long.MIN_VALUE, initial.maxEventTime());
    assertEquals(0, initial.toView(0).openWindows().size());
    assertEquals(1, initial.apply(new ReadingsRecorded(DEFAULT_TOPIC, List.of(reading(7, T0 + 1_000, 20.0)))).readings());
    assertEquals(new EntityState(MINUTE_WINDOWS, "sensor-00001").toView(0), initial.toView(0), "it shows as any empty state");
    RecordPlan first = RecordPlan.record(initial, DEFAULT_TOPIC, List.of(reading(7, T0 + 1_000, 20.0)), 0, 0);
    assertEquals(1, first.state().readings(), "a command folds into a new state");
    assertEquals(0, initial.readings());
  }

  @Test
  void anEntityBeginsItsJournalByRegisteringOnce() {
    RecordPlan first = record(reading(0, T0 + 1_000, 20.0));
    RecordPlan second = record(reading(1, T0 + 2_000, 21.0));

    assertInstanceOf(EntityRegistered.class, first.events().get(0));
    assertInstanceOf(ReadingsRecorded.class, first.events().get(1));
    assertEquals(1, second.events().size());
    assertInstanceOf(ReadingsRecorded.class, second.events().get(0));
    assertEquals(2, state.readings());
  }

  @Test
  void keepsTheWindowOpenUntilTheWatermarkReachesItsEnd() {
    record(reading(0, T0 + 1_000, 20.0), reading(1, T0 + 59_000, 22.0), reading(2, T0 + 64_999, 21.0));
    assertEquals(0, state.recentWindows().size(), "watermark 59 999 ms is short of the end at 60 000 ms");

    RecordPlan plan = record(reading(3, T0 + 65_000, 21.5));

    WindowClosed closed = assertInstanceOf(WindowClosed.class, plan.events().get(1));
    assertEquals(T0, closed.start());
    assertEquals(T0 + 60_000, closed.end());
    assertEquals(2, closed.count());
    assertEquals(21.0, closed.metrics().get("temperature").mean(), 1e-12);
    assertEquals(20.0, closed.metrics().get("temperature").min());
    assertEquals(22.0, closed.metrics().get("temperature").max());
    assertEquals(1.0, closed.metrics().get("temperature").stddev(), 1e-12);
  }

  @Test
  void countsAReadingForAClosedWindowAsLateAndLeavesThatWindowUnchanged() {
    record(reading(0, T0 + 1_000, 20.0), reading(1, T0 + 70_000, 20.0));
    WindowClosed before = state.recentWindows().get(0);

    record(reading(2, T0 + 2_000, 99.0));

    assertEquals(3, state.readings(), "a late reading is still a reading the entity recorded");
    assertEquals(1, state.lateReadings());
    assertEquals(before, state.recentWindows().get(0));
    assertEquals(List.of(new EntityStateView.LateReading(T0 + 2_000, Map.of("temperature", 99.0), null)),
        state.toView(3).recentLate(), "the view shows where the late reading fell");
  }

  @Test
  void keepsTheLatestLateReadingsNewestFirstAndThroughASnapshot() {
    record(reading(0, T0 + 1_000, 20.0), reading(1, T0 + 70_000, 20.0));
    for (int i = 0; i < EntityState.RECENT_LATE + 5; i++) {
      record(reading(2 + i, T0 + 2_000 + i, i));
    }

    List<EntityStateView.LateReading> late = state.toView(0).recentLate();
    assertEquals(EntityState.RECENT_LATE, late.size());
    assertEquals(T0 + 2_000 + EntityState.RECENT_LATE + 4, late.get(0).ts(), "newest first");
    assertEquals(T0 + 2_000 + 5, late.get(late.size() - 1).ts(), "the oldest five are let go");
    assertEquals(late, EntitySnapshot.of(state).restore(MINUTE_WINDOWS, "sensor-00001").toView(0).recentLate());
  }

  @Test
  void aReadingWithinTheAllowedLatenessStillCounts() {
    record(reading(0, T0 + 1_000, 20.0), reading(1, T0 + 63_000, 20.0), reading(2, T0 + 59_000, 30.0));
    record(reading(3, T0 + 66_000, 20.0));
    assertEquals(0, state.lateReadings());
    assertEquals(2, state.recentWindows().get(0).count());
  }

  @Test
  void acknowledgesRedeliveredOffsetsWithoutApplyingThemAgain() {
    record(reading(0, T0 + 1_000, 20.0), reading(1, T0 + 2_000, 21.0));

    RecordPlan plan = record(reading(1, T0 + 2_000, 21.0), reading(2, T0 + 3_000, 22.0));

    assertEquals(1, plan.recorded());
    assertEquals(1, plan.duplicates());
    assertInstanceOf(DuplicatesIgnored.class, plan.events().get(plan.events().size() - 1));
    EntityStateView view = state.toView(journal.size());
    assertEquals(3, view.readings());
    assertEquals(1, view.duplicates());
    assertEquals(22.0, view.lastValues().get("temperature"));
    assertEquals(3, view.metricCounts().get("temperature"));
  }

  @Test
  void theSameOffsetFromAnotherTopicIsNoRedelivery() {
    record(reading(5, T0 + 1_000, 20.0));

    RecordPlan plan = RecordPlan.record(state, "readings-v2", List.of(reading(5, T0 + 2_000, 21.0)), journal.size(), 0);

    assertEquals(1, plan.recorded());
    assertEquals(0, plan.duplicates());
  }

  @Test
  void aWholeBatchAtOnceGivesTheSameEventsAsOneReadingAtATime() {
    List<SourcedReading> stream =
        List.of(
            reading(0, T0 + 1_000, 20.0),
            reading(1, T0 + 70_000, 21.0),
            reading(2, T0 + 30_000, 22.0), // late: its window closed with the reading before
            reading(3, T0 + 130_000, 23.0),
            reading(4, T0 + 125_000, 24.0));
    List<Event> oneByOne = new ArrayList<>();
    EntityState incremental = new EntityState(MINUTE_WINDOWS, "sensor-00001");
    for (SourcedReading r : stream) {
      record(incremental, oneByOne, r);
    }

    record(stream.toArray(SourcedReading[]::new));

    assertEquals(closedWindows(entries(oneByOne)), closedWindows(entries(journal)));
    assertEquals(incremental.toView(1), state.toView(1));
    assertEquals(1, state.lateReadings());
  }

  @Test
  void replayingTheJournalRebuildsTheSameState() {
    record(reading(0, T0 + 1_000, 20.0), reading(1, T0 + 70_000, 21.0));
    record(reading(1, T0 + 70_000, 21.0), reading(2, T0 + 10_000, 5.0), reading(3, T0 + 200_000, 1.0));

    EntityState replayed = new EntityState(MINUTE_WINDOWS, "sensor-00001");
    journal.forEach(replayed::apply);

    assertEquals(state.toView(journal.size()), replayed.toView(journal.size()));
  }

  @Test
  void alertIdsGoOnNumberingEntriesAfterAJournalOfOneRowPerEvent() {
    // Journals written before one row per command hold an event per row; an entity recovered from one numbers
    // the alerts of its next command as one that journaled every command as a row does.
    EntityTypeConfig delta = MINUTE_WINDOWS.withAnomalies(List.of(new AnomalyRule.Delta(List.of("*"), 5.0)));
    EntityState byCommand = new EntityState(delta, "sensor-00001");
    List<Event> commandRows = new ArrayList<>();
    record(byCommand, commandRows, reading(0, T0 + 1_000, 20.0), reading(1, T0 + 70_000, 40.0));
    EntityState byEvent = new EntityState(delta, "sensor-00001");
    List<Event> eventRows = entries(commandRows);
    eventRows.forEach(byEvent::apply);
    assertEquals(1, commandRows.size());
    assertEquals(5, eventRows.size(), "registered, the readings, the alert, the incident it opened, the window they closed");

    RecordPlan afterCommands = record(byCommand, commandRows, reading(2, T0 + 71_000, 10.0));
    RecordPlan afterEvents = RecordPlan.record(byEvent, DEFAULT_TOPIC, List.of(reading(2, T0 + 71_000, 10.0)), 5, 0);

    assertEquals(List.of("sensor-00001:3", "sensor-00001:7"), alertIds(entries(commandRows)));
    assertEquals(afterCommands.events(), afterEvents.events());
  }

  private static List<String> alertIds(List<Event> events) {
    return events.stream().filter(AnomalyDetected.class::isInstance).map(e -> ((AnomalyDetected) e).alertId()).toList();
  }

  private static List<WindowClosed> closedWindows(List<Event> events) {
    return events.stream().filter(WindowClosed.class::isInstance).map(WindowClosed.class::cast).toList();
  }
}
