package io.tidewatch.sharding;

import static io.tidewatch.protocol.EntityProtocol.DEFAULT_TOPIC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.tidewatch.persistence.state.EntityState;
import io.tidewatch.persistence.state.EntityTypeConfig;
import io.tidewatch.persistence.state.TypeVersions;
import io.tidewatch.persistence.window.WindowSpec;
import io.tidewatch.protocol.EntityProtocol.AnomalyDetected;
import io.tidewatch.protocol.EntityProtocol.Command;
import io.tidewatch.protocol.EntityProtocol.DuplicatesIgnored;
import io.tidewatch.protocol.EntityProtocol.EntityRegistered;
import io.tidewatch.protocol.EntityProtocol.Event;
import io.tidewatch.protocol.EntityProtocol.Outputs;
import io.tidewatch.protocol.EntityProtocol.GetState;
import io.tidewatch.protocol.EntityProtocol.ReadingsRecorded;
import io.tidewatch.protocol.EntityProtocol.RecordAck;
import io.tidewatch.protocol.EntityProtocol.RecordReadings;
import io.tidewatch.protocol.EntityProtocol.SourcedReading;
import io.tidewatch.protocol.EntityProtocol.WindowClosed;
import io.tidewatch.protocol.EntityStateView;
import io.tidewatch.protocol.TypeConfigProtocol.History;
import io.tidewatch.protocol.TypeConfigProtocol.Sources;
import io.tidewatch.protocol.TypeConfigProtocol.Version;
import io.tidewatch.persistence.anomaly.AnomalyRule;
import io.tidewatch.persistence.anomaly.IncidentPolicy;
import io.tidewatch.protocol.EntityProtocol.IncidentChanged;
import io.tidewatch.protocol.EntityProtocol.IncidentState;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TrackedEntityTest {

  private static final long T0 = 1_700_000_040_000L;
  private static final EntityTypeConfig SENSOR =
      EntityTypeConfig.of("sensor", List.of(WindowSpec.tumbling("60s", 60_000)), 5_000)
          .withAnomalies(List.of(new AnomalyRule.Delta(List.of("*"), 5.0)));

  /** The read side: the marks entities set, and what they published themselves. */
  private static final RecordingReadSide READ_SIDE = new RecordingReadSide();

  private static final ActorTestKit testKit =
      ActorTestKit.create(
          ConfigFactory.load(EventSourcedBehaviorTestKit.config()
              .withFallback(ConfigFactory.parseResources("serialization.conf"))
              .withFallback(ConfigFactory.parseResources("journal-formats.conf"))));

  private final EventSourcedBehaviorTestKit<Command, Event, EntityState> kit =
      EventSourcedBehaviorTestKit.create(
          testKit.system(),
          TrackedEntity.create(
              SENSOR, new EntitySettings(Duration.ofMinutes(2)), READ_SIDE, READ_SIDE, "sensor-00007", Optional.empty(),
              Clock.systemUTC()),
          // Commands, events and replies are checked through Jackson CBOR; the state is not sent anywhere.
          EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyState(false));

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void clear() {
    kit.clear();
  }

  private static SourcedReading reading(long offset, long ts, double temperature) {
    return new SourcedReading(ts, Map.of("temperature", temperature), null, Map.of(), 2, offset);
  }

  @Test
  void recordsABatchAsOneEventAndAcknowledgesAfterPersisting() {
    var result =
        kit.<RecordAck>runCommand(
            replyTo -> new RecordReadings(List.of(reading(10, T0, 20.0), reading(11, T0 + 1_000, 21.0)), replyTo));

    assertEquals(2, result.reply().recorded());
    assertEquals(0, result.reply().duplicates());
    assertEquals(1, result.events().size(), "one journal row per command");
    List<Event> entries = result.event().entries();
    assertEquals(2, entries.size(), "the first batch of an entity also registers it");
    assertInstanceOf(EntityRegistered.class, entries.get(0));
    assertEquals(2, assertInstanceOf(ReadingsRecorded.class, entries.get(1)).readings().size());
    assertEquals(2, result.state().readings());
  }

  @Test
  void aNewEntityIsListedWithItsFirstOutputsAndAgainWhenItsFirstReadingsAreRedelivered() {
    var first = kit.<RecordAck>runCommand(replyTo -> new RecordReadings(List.of(reading(10, T0, 20.0)), replyTo));
    EntityRegistered registered = assertInstanceOf(EntityRegistered.class, first.event().entries().get(0));
    assertEquals(registered, first.reply().outputs().registration(), "journaled at once, listed by the asker");

    var next = kit.<RecordAck>runCommand(replyTo -> new RecordReadings(List.of(reading(11, T0 + 1_000, 20.0)), replyTo));
    assertNull(next.reply().outputs().registration(), "listed once");

    kit.restart(); // a crash before the listing was written: the ingest redelivers from the first reading
    var redelivered = kit.<RecordAck>runCommand(replyTo -> new RecordReadings(
        List.of(reading(10, T0, 20.0), reading(11, T0 + 1_000, 20.0)), replyTo));
    assertEquals(2, redelivered.reply().duplicates());
    assertEquals(registered, redelivered.reply().outputs().registration());
    var later = kit.<RecordAck>runCommand(replyTo -> new RecordReadings(List.of(reading(11, T0 + 1_000, 20.0)), replyTo));
    assertNull(later.reply().outputs().registration(), "a redelivery after the first reading lists nothing");
  }

  @Test
  void acknowledgesARedeliveryWithoutCountingItTwice() {
    kit.<RecordAck>runCommand(replyTo -> new RecordReadings(List.of(reading(10, T0, 20.0)), replyTo));

    var result = kit.<RecordAck>runCommand(replyTo -> new RecordReadings(List.of(reading(10, T0, 20.0)), replyTo));

    assertEquals(0, result.reply().recorded());
    assertEquals(1, result.reply().duplicates());
    assertEquals(new DuplicatesIgnored(1), result.event());
    assertEquals(1, result.state().readings());
    assertEquals(1, result.state().duplicates());
  }

  @Test
  void journalsTheClosingOfAWindowWithItsAggregates() {
    var result =
        kit.<RecordAck>runCommand(
            replyTo ->
                new RecordReadings(
                    List.of(reading(1, T0 + 1_000, 20.0), reading(2, T0 + 2_000, 22.0), reading(3, T0 + 66_000, 25.0)),
                    replyTo));

    List<Event> entries = result.event().entries();
    WindowClosed closed = assertInstanceOf(WindowClosed.class, entries.get(2));
    assertEquals("tumbling-60s", closed.spec());
    assertEquals(T0, closed.start());
    assertEquals(2, closed.count());
    assertEquals(21.0, closed.metrics().get("temperature").mean(), 1e-12);
    assertInstanceOf(ReadingsRecorded.class, entries.get(1));
  }

  @Test
  void answersUnknownForAnEntityThatRecordedNothing() {
    var result = kit.<EntityStateView>runCommand(GetState::new);
    assertEquals(0, result.reply().lastSeqNr());
    assertTrue(result.hasNoEvents());
  }

  @Test
  void keepsItsStateAfterARestart() {
    kit.<RecordAck>runCommand(
        replyTo -> new RecordReadings(List.of(reading(1, T0 + 1_000, 20.0), reading(2, T0 + 66_000, 25.0)), replyTo));
    EntityStateView before = kit.<EntityStateView>runCommand(GetState::new).reply();

    kit.restart();

    EntityStateView after = kit.<EntityStateView>runCommand(GetState::new).reply();
    assertEquals(before, after);
    assertEquals(2, after.readings());
    assertEquals(1, after.lastSeqNr(), "one row: EntityRegistered, ReadingsRecorded of both, then WindowClosed");
    assertEquals(1, after.recentWindows().size());
  }

  @Test
  void restartsAfterAJournalFailureWithOnlyWhatItsJournalHolds() {
    // Pekko restarts the entity in place (backoff) and starts again from the same empty state; what the failed
    // write carried must be gone, so that its redelivery is recorded, not taken for a duplicate.
    PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());
    var entity =
        testKit.spawn(
            TrackedEntity.create(
                SENSOR, new EntitySettings(Duration.ofMinutes(2)), READ_SIDE, READ_SIDE, "sensor-00099", Optional.empty(),
                Clock.systemUTC()));
    var acks = testKit.<RecordAck>createTestProbe();
    entity.tell(new RecordReadings(List.of(reading(1, T0 + 1_000, 20.0), reading(2, T0 + 2_000, 21.0)), acks.ref()));
    assertEquals(2, acks.receiveMessage().recorded());

    journal.failNextPersisted();
    entity.tell(new RecordReadings(List.of(reading(3, T0 + 3_000, 22.0)), acks.ref()));
    acks.expectNoMessage(Duration.ofMillis(500)); // not journaled, so not acknowledged

    entity.tell(new RecordReadings(List.of(reading(3, T0 + 3_000, 22.0)), acks.ref())); // the redelivery
    RecordAck redelivered = acks.receiveMessage(Duration.ofSeconds(10));
    assertEquals(1, redelivered.recorded(), "recorded, not a duplicate: the failed write left nothing");
    var states = testKit.<EntityStateView>createTestProbe();
    entity.tell(new GetState(states.ref()));
    EntityStateView state = states.receiveMessage();
    assertEquals(3, state.readings());
    assertEquals(0, state.duplicates());
    assertEquals(3, state.openWindows().get(0).count());
  }

  @Test
  void raisesAnAlertWithAStableIdWhenTheDeltaRuleFires() {
    kit.<RecordAck>runCommand(replyTo -> new RecordReadings(List.of(reading(1, T0, 20.0)), replyTo));

    var result =
        kit.<RecordAck>runCommand(
            replyTo -> new RecordReadings(List.of(reading(2, T0 + 1_000, 36.2), reading(3, T0 + 2_000, 36.0)), replyTo));

    AnomalyDetected alert = assertInstanceOf(AnomalyDetected.class, result.event().entries().get(1));
    assertEquals(2, kit.<EntityStateView>runCommand(GetState::new).reply().lastSeqNr(), "two commands, two rows");
    assertEquals("sensor-00007:4", alert.alertId(),
        "entity id and the alert's entry number: registration 1 and readings 2 in row 1, readings 3 and the alert 4 in row 2");
    assertEquals("delta", alert.rule());
    assertEquals(36.2, alert.value());
    assertEquals(20.0, alert.previous());
    assertEquals(1, result.state().anomalies());
    assertEquals(List.of(alert), result.reply().outputs().alerts(), "the reply carries the alert to publish");
  }

  @Test
  void aRedeliveryAnswersWithTheOutputsOfTheReadingsItRepeats() {
    kit.<RecordAck>runCommand(replyTo -> new RecordReadings(List.of(reading(1, T0, 20.0)), replyTo));
    // Offset 2 raises an alert, offset 3 closes the first minute; offset 4 produces nothing.
    var first = kit.<RecordAck>runCommand(replyTo -> new RecordReadings(
        List.of(reading(2, T0 + 1_000, 36.2), reading(3, T0 + 66_000, 36.0), reading(4, T0 + 67_000, 36.1)), replyTo));
    Outputs produced = first.reply().outputs();
    assertEquals(1, produced.windows().size());
    assertEquals(1, produced.alerts().size());

    // A crash before they were published: the ingest redelivers the batch, the entity answers with the same outputs.
    var redelivered = kit.<RecordAck>runCommand(replyTo -> new RecordReadings(
        List.of(reading(2, T0 + 1_000, 36.2), reading(3, T0 + 66_000, 36.0), reading(4, T0 + 67_000, 36.1)), replyTo));
    assertEquals(new RecordAck(0, 3, produced, 1), redelivered.reply());

    kit.restart(); // what the entity keeps of its outputs survives recovery
    var afterRestart = kit.<RecordAck>runCommand(replyTo -> new RecordReadings(
        List.of(reading(3, T0 + 66_000, 36.0), reading(5, T0 + 68_000, 36.1)), replyTo));
    assertEquals(produced, afterRestart.reply().outputs(), "both followed offset 3, the last reading of their chunk");
    var nothing = kit.<RecordAck>runCommand(replyTo -> new RecordReadings(List.of(reading(4, T0 + 67_000, 36.1)), replyTo));
    assertEquals(new RecordAck(0, 1, Outputs.NONE, 1), nothing.reply(), "offset 4 produced nothing");
  }

  @Test
  void recoversFromASnapshotToTheSameState() {
    for (int i = 0; i < 150; i++) {
      long offset = i;
      kit.<RecordAck>runCommand(
          replyTo -> new RecordReadings(List.of(reading(offset, T0 + offset * 7_000, 20.0 + offset % 3)), replyTo));
    }
    EntityStateView before = kit.<EntityStateView>runCommand(GetState::new).reply();

    kit.restart();

    EntityStateView after = kit.<EntityStateView>runCommand(GetState::new).reply();
    assertEquals(before, after);
    assertTrue(after.lastSeqNr() > 100, "enough events for a snapshot: " + after.lastSeqNr());
  }

  @Test
  void closesTheWindowsOfASilentEntityAfterItsIdleCloseTime() {
    EntityTypeConfig secondWindows = EntityTypeConfig.of("sensor", List.of(WindowSpec.tumbling(1_000)), 0);
    var silent =
        EventSourcedBehaviorTestKit.<Command, Event, EntityState>create(
            testKit.system(),
            TrackedEntity.create(
                secondWindows, new EntitySettings(Duration.ofMinutes(2)), READ_SIDE, READ_SIDE, "sensor-silent",
                Optional.empty(), Clock.systemUTC()),
            EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyState(false));
    READ_SIDE.published.clear();
    silent.<RecordAck>runCommand(replyTo -> new RecordReadings(List.of(reading(1, 5_500, 20.0)), replyTo));

    var probe = testKit.createTestProbe();
    probe.awaitAssert(
        Duration.ofSeconds(10),
        () -> {
          assertEquals(1, READ_SIDE.published.size(), "the window [5 s, 6 s) closed without another reading");
          assertEquals(5_000, READ_SIDE.published.get(0).windows().get(0).start());
          assertEquals(false, READ_SIDE.pendingMarks.get("sensor/sensor-silent"), "marked, then cleared");
          assertTrue(silent.getState().idleUnpublished().isEmpty(), "journaled as published");
          return null;
        });
  }

  @Test
  void anEntitySilentForItsSilentAfterTimeRaisesAnIncidentItPublishesItselfAndItsNextReadingResolves() {
    EntityTypeConfig watched = SENSOR.withAnomalies(
        List.of(new AnomalyRule.Delta(List.of("*"), 5.0)), new IncidentPolicy(0.8, 60_000, 1_000));
    var readSide = new RecordingReadSide();
    var absent =
        EventSourcedBehaviorTestKit.<Command, Event, EntityState>create(
            testKit.system(),
            TrackedEntity.create(
                watched, new EntitySettings(Duration.ofMillis(200)), readSide, readSide, "sensor-absent",
                Optional.empty(), Clock.systemUTC()),
            EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyState(false));
    absent.<RecordAck>runCommand(replyTo -> new RecordReadings(List.of(reading(1, T0, 20.0)), replyTo));

    var probe = testKit.createTestProbe();
    Outputs raised = probe.awaitAssert(Duration.ofSeconds(10), () -> {
      assertEquals(1, readSide.published.size(), "published by the entity: no ask carries it");
      assertTrue(absent.getState().idleOutputs().isEmpty(), "journaled as published");
      assertEquals(false, readSide.pendingMarks.get("sensor/sensor-absent"), "marked, then cleared");
      return readSide.published.get(0);
    });
    AnomalyDetected hit = raised.alerts().get(0);
    assertEquals("silent", hit.rule());
    assertEquals("*", hit.metric());
    assertEquals(T0, hit.ts(), "the event time of the last reading");
    assertTrue(hit.value() >= 1.0, "silent for at least silent-after, in seconds: " + hit.value());
    IncidentChanged opened = raised.incidents().get(0);
    assertEquals(IncidentState.OPENED, opened.transition());
    assertEquals(hit.alertId(), opened.alertId());
    assertTrue(absent.getState().silenceRaised());

    var back = absent.<RecordAck>runCommand(replyTo -> new RecordReadings(List.of(reading(2, T0 + 90_000, 20.5)), replyTo));
    IncidentChanged resolved = back.reply().outputs().incidents().get(0);
    assertEquals(IncidentState.RESOLVED, resolved.transition());
    assertEquals(opened.incidentId(), resolved.incidentId());
    assertEquals(T0 + 90_000, resolved.ts());
    assertTrue(!back.state().silenceRaised());
  }

  @Test
  void windowsClosedBySilenceAndNotPublishedBeforeARestartArePublishedOnRecovery() {
    EntityTypeConfig secondWindows = EntityTypeConfig.of("sensor", List.of(WindowSpec.tumbling(1_000)), 0);
    CompletableFuture<?> lost = new CompletableFuture<>(); // the node dies while the first publication is under way
    AtomicInteger publications = new AtomicInteger();
    var readSide = new RecordingReadSide(
        () -> publications.incrementAndGet() == 1 ? lost : CompletableFuture.completedFuture(null));
    var silent =
        EventSourcedBehaviorTestKit.<Command, Event, EntityState>create(
            testKit.system(),
            TrackedEntity.create(
                secondWindows, new EntitySettings(Duration.ofMinutes(2)), readSide, readSide, "sensor-crashing",
                Optional.empty(), Clock.systemUTC()),
            EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyState(false));
    silent.<RecordAck>runCommand(replyTo -> new RecordReadings(List.of(reading(1, 5_500, 20.0)), replyTo));
    var probe = testKit.createTestProbe();
    probe.awaitAssert(Duration.ofSeconds(10), () -> {
      assertEquals(1, publications.get());
      return null;
    });
    assertEquals(true, readSide.pendingMarks.get("sensor/sensor-crashing"), "marked before the window was journaled");

    silent.restart();

    probe.awaitAssert(Duration.ofSeconds(10), () -> {
      assertEquals(2, publications.get(), "published again after recovery");
      assertEquals(readSide.published.get(0), readSide.published.get(1));
      assertEquals(false, readSide.pendingMarks.get("sensor/sensor-crashing"));
      return null;
    });
    silent.restart();
    probe.expectNoMessage(Duration.ofMillis(300));
    assertEquals(2, publications.get(), "journaled as published: not again");
  }

  @Test
  void commandsNamingAVersionTheNodeHasNotHeardOfWaitInOrderAndAreJudgedByItsRules() {
    TypeVersions versions = TypeVersions.of(SENSOR);
    var entity = testKit.spawn(TrackedEntity.create(versions, new EntitySettings(Duration.ofMinutes(2)), READ_SIDE,
        READ_SIDE, "sensor-00042", Optional.empty(), Clock.systemUTC()));
    var probe = testKit.<RecordAck>createTestProbe();
    entity.tell(new RecordReadings(DEFAULT_TOPIC, List.of(reading(1, T0, 20.0)), 2, probe.ref()));
    entity.tell(new RecordReadings(DEFAULT_TOPIC, List.of(reading(2, T0 + 1_000, 22.0)), 2, probe.ref()));
    probe.expectNoMessage(Duration.ofMillis(300)); // version 2 is unknown here: both wait

    versions.update(new History("sensor", List.of(
        new Version(1, new Sources("[{rule = delta, metrics = [\"*\"], threshold = 5}]", "[]"), Version.FILE, "file", T0),
        new Version(2, new Sources("[{rule = delta, metrics = [\"*\"], threshold = 1}]", "[]"), "rules", "alice", T0))));

    assertEquals(1, probe.receiveMessage().recorded());
    RecordAck second = probe.receiveMessage();
    AnomalyDetected alert = second.outputs().alerts().get(0); // Δ 2 fires only under version 2's threshold of 1
    assertEquals(1.0, alert.threshold());
    assertEquals(2, alert.configVersion());
  }

  @Test
  void anEntityStartedBeforeItsNodeHeardTheTypesHistoryWaitsAndThenJudgesByTheJournaledVersion() {
    TypeVersions versions = TypeVersions.untilHeard(SENSOR); // the file says a delta of 5
    var entity = testKit.spawn(TrackedEntity.create(versions, new EntitySettings(Duration.ofMinutes(2)), READ_SIDE,
        READ_SIDE, "sensor-00043", Optional.empty(), Clock.systemUTC()));
    var probe = testKit.<RecordAck>createTestProbe();
    entity.tell(new RecordReadings(List.of(reading(1, T0, 20.0)), probe.ref()));
    entity.tell(new RecordReadings(List.of(reading(2, T0 + 1_000, 22.0)), probe.ref()));
    probe.expectNoMessage(Duration.ofMillis(300));

    versions.update(new History("sensor", List.of(new Version(
        1, new Sources("[{rule = delta, metrics = [\"*\"], threshold = 1}]", "[]"), Version.FILE, "file", T0))));

    assertEquals(1, probe.receiveMessage().recorded());
    AnomalyDetected alert = probe.receiveMessage().outputs().alerts().get(0); // Δ 2: over the journaled 1, not 5
    assertEquals(1.0, alert.threshold());
  }

  @Test
  void readingsOfAVersionThatDoesNotCompileOnItsNodeAreNotRecorded() {
    TypeVersions versions = TypeVersions.of(SENSOR);
    versions.update(new History("sensor", List.of(
        new Version(1, new Sources("[{rule = delta, metrics = [\"*\"], threshold = 5}]", "[]"), Version.FILE, "file", T0),
        new Version(2, new Sources("[{rule = delta, metrics = [\"*\"]}]", "[]"), "rules", "alice", T0))));
    var entity = testKit.spawn(TrackedEntity.create(versions, new EntitySettings(Duration.ofMinutes(2)), READ_SIDE,
        READ_SIDE, "sensor-00044", Optional.empty(), Clock.systemUTC()));
    var acks = testKit.<RecordAck>createTestProbe();
    entity.tell(new RecordReadings(DEFAULT_TOPIC, List.of(reading(1, T0, 20.0)), 2, acks.ref()));
    acks.expectNoMessage(Duration.ofMillis(300));

    var states = testKit.<EntityStateView>createTestProbe();
    entity.tell(new GetState(states.ref()));
    assertEquals(0, states.receiveMessage().readings(), "nothing recorded under other rules, and it still answers");
    entity.tell(new RecordReadings(DEFAULT_TOPIC, List.of(reading(2, T0 + 1_000, 21.0)), 1, acks.ref()));
    assertEquals(1, acks.receiveMessage().recorded(), "not stuck waiting: the next command of a known version is recorded");
  }

  @Test
  void itsAckNamesTheNewestVersionItsNodeKnowsSoThatALaggingIngestCatchesUp() {
    TypeVersions versions = TypeVersions.of(SENSOR);
    versions.update(new History("sensor", List.of(
        new Version(1, new Sources("[{rule = delta, metrics = [\"*\"], threshold = 5}]", "[]"), Version.FILE, "file", T0),
        new Version(2, new Sources("[{rule = delta, metrics = [\"*\"], threshold = 1}]", "[]"), "rules", "alice", T0))));
    var entity = testKit.spawn(TrackedEntity.create(versions, new EntitySettings(Duration.ofMinutes(2)), READ_SIDE,
        READ_SIDE, "sensor-00045", Optional.empty(), Clock.systemUTC()));
    var acks = testKit.<RecordAck>createTestProbe();
    entity.tell(new RecordReadings(DEFAULT_TOPIC, List.of(reading(1, T0, 20.0)), 1, acks.ref()));

    assertEquals(2, acks.receiveMessage().configVersion());
  }
}
