package io.tidewatch.sharding;

import static io.tidewatch.protocol.EntityProtocol.DEFAULT_TOPIC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.tidewatch.persistence.state.EntityState;
import io.tidewatch.persistence.state.EntityTypeConfig;
import io.tidewatch.persistence.state.EntityTypes;
import io.tidewatch.persistence.state.LiveTypes;
import io.tidewatch.persistence.window.WindowSpec;
import io.tidewatch.persistence.state.RecordPlan;
import io.tidewatch.protocol.EntityProtocol.Command;
import io.tidewatch.protocol.EntityProtocol.CommandJournaled;
import io.tidewatch.protocol.EntityProtocol.EntityExpired;
import io.tidewatch.protocol.EntityProtocol.Event;
import io.tidewatch.protocol.EntityProtocol.ExpireState;
import io.tidewatch.protocol.EntityProtocol.GetState;
import io.tidewatch.protocol.EntityProtocol.IdleOutputsPublished;
import io.tidewatch.protocol.EntityProtocol.RecordAck;
import io.tidewatch.protocol.EntityProtocol.ReadingsRecorded;
import io.tidewatch.protocol.EntityProtocol.RecordReadings;
import io.tidewatch.protocol.EntityProtocol.SourcedReading;
import io.tidewatch.protocol.EntityProtocol.WindowClosed;
import io.tidewatch.protocol.EntityStateView;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.cluster.sharding.ShardRegion.CurrentShardRegionState;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A type's state-ttl in the entity: a running entity expires by its own timer; a passivated or stopped one has
 * recorded when it expires in the entity index and the node's sweep wakes it, paging through the due rows; a
 * recovered entity knows from its journal when it last heard readings, and its first readings after the ttl start
 * afresh; the sweep's command is trusted only for journals from before that, and only if nothing was journaled since
 * its row.
 */
class ExpiringEntityTest {

  private static final Duration PATIENCE = Duration.ofSeconds(15);
  /** One second windows, no lateness: idle-close is one second. */
  private static final EntityTypeConfig SECONDS = EntityTypeConfig.of("meter", List.of(WindowSpec.tumbling(1_000)), 0);

  private static final ActorTestKit testKit =
      ActorTestKit.create(
          ConfigFactory.parseString(
                  """
                  pekko.actor.provider = cluster
                  pekko.remote.artery.canonical { hostname = "127.0.0.1", port = 0 }
                  pekko.cluster.sharding.passivation.strategy = none
                  """)
              .withFallback(PersistenceTestKitPlugin.getInstance().config())
              .withFallback(PersistenceTestKitSnapshotPlugin.config())
              .withFallback(ConfigFactory.parseResources("serialization.conf"))
              .withFallback(ConfigFactory.parseResources("journal-formats.conf"))
              .withFallback(ConfigFactory.load())
              .resolve());

  private static final RecordingReadSide READ_SIDE = new RecordingReadSide();

  @BeforeAll
  static void cluster() {
    var system = testKit.system();
    Cluster.get(system).manager().tell(Join.create(Cluster.get(system).selfMember().address()));
    // "running": passivate-after far beyond its ttl, so the entity is up when it expires.
    // "sleeping": passivates long before its ttl, so only the sweep can expire it.
    TrackedEntity.init(system, LiveTypes.fileOnly(new EntityTypes(Map.of("running", withType(SECONDS, "running", 1_500)))),
        new EntitySettings(Duration.ofSeconds(30)), READ_SIDE, READ_SIDE);
    EntityTypeConfig sleeping = withType(SECONDS, "sleeping", 3_000);
    TrackedEntity.init(system, LiveTypes.fileOnly(new EntityTypes(Map.of("sleeping", sleeping))),
        new EntitySettings(Duration.ofMillis(200)), READ_SIDE, READ_SIDE);
    StateExpirySweep.start(system, READ_SIDE, List.of(sleeping), Clock.systemUTC());
  }

  private static EntityTypeConfig withType(EntityTypeConfig config, String type, long ttlMs) {
    return new EntityTypeConfig(type, config.windows(), config.allowedLatenessMs(), config.idleCloseMs(),
        config.anomalies(), config.recentWindowsPerSpec(), config.recentAlerts(), config.pipeline(), ttlMs);
  }

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static SourcedReading reading(long offset, long ts, double kwh) {
    return new SourcedReading(ts, Map.of("kwh", kwh), null, Map.of(), 0, offset);
  }

  private static EntityRef<Command> entity(String type, String id) {
    return ClusterSharding.get(testKit.system()).entityRefFor(TrackedEntity.typeKey(type), id);
  }

  private static void record(EntityRef<Command> entity, SourcedReading reading) {
    entity.<RecordAck>ask(replyTo -> new RecordReadings(List.of(reading), replyTo), PATIENCE).toCompletableFuture().join();
  }

  private static EntityStateView state(EntityRef<Command> entity) {
    return entity.ask(GetState::new, PATIENCE).toCompletableFuture().join();
  }

  private static void awaitPassivated(String type, String id) {
    var probe = testKit.<CurrentShardRegionState>createTestProbe();
    probe.awaitAssert(PATIENCE, () -> {
      ClusterSharding.get(testKit.system()).shardState()
          .tell(new GetShardRegionState(TrackedEntity.typeKey(type), probe.ref()));
      Set<String> live = probe.receiveMessage().getShards().stream()
          .flatMap(shard -> shard.getEntityIds().stream())
          .collect(Collectors.toSet());
      assertFalse(live.contains(id), id + " passivated");
      return null;
    });
  }

  private static RecordingReadSide.ExpiryRow awaitRow(String key, java.util.function.Predicate<RecordingReadSide.ExpiryRow> done) {
    var probe = testKit.createTestProbe();
    return probe.awaitAssert(PATIENCE, () -> {
      RecordingReadSide.ExpiryRow row = READ_SIDE.expiries.get(key);
      assertTrue(row != null && done.test(row), key + ": " + row);
      return row;
    });
  }

  @Test
  void aRunningEntityExpiresByItsOwnTimerThenPassivatesAndItsNextReadingStartsAfresh() {
    var meter = entity("running", "meter-1");
    record(meter, reading(1, 5_500, 1.5));

    RecordingReadSide.ExpiryRow expired = awaitRow("running/meter-1", row -> row.expiredAt() != null);
    awaitPassivated("running", "meter-1");
    assertNull(expired.expiresAt(), "no longer due");

    EntityStateView asleep = state(meter);
    assertEquals(expired.expiredAt(), asleep.expiredAt(), "journaled: the recovered entity shows it");
    assertEquals(Map.of(), asleep.lastValues());
    assertEquals(Map.of("kwh", 1L), asleep.metricCounts());
    assertEquals(1, asleep.readings());
    assertEquals(1, asleep.recentWindows().size(), "its window closed before it expired");

    record(meter, reading(2, 9_500, 2.5));
    EntityStateView back = state(meter);
    assertNull(back.expiredAt());
    assertEquals(Map.of("kwh", 2.5), back.lastValues());
    awaitRow("running/meter-1", row -> row.expiredAt() == null);
  }

  @Test
  void aPassivatedEntityRecordsItsExpiryAndTheSweepWakesItToExpire() {
    var meter = entity("sleeping", "meter-2");
    long before = System.currentTimeMillis();
    record(meter, reading(1, 5_500, 1.5));
    long after = System.currentTimeMillis();

    RecordingReadSide.ExpiryRow due = awaitRow("sleeping/meter-2", row -> row.expiresAt() != null);
    assertTrue(due.heardAt() >= before && due.heardAt() <= after, "its last reading's processing time: " + due);
    assertEquals(due.heardAt() + 3_000, due.expiresAt());
    awaitPassivated("sleeping", "meter-2");

    RecordingReadSide.ExpiryRow expired = awaitRow("sleeping/meter-2", row -> row.expiredAt() != null);
    assertTrue(expired.expiredAt() >= due.expiresAt(), "not before its ttl: " + expired);
    EntityStateView view = state(meter);
    assertEquals(expired.expiredAt(), view.expiredAt());
    assertEquals(Map.of(), view.lastValues());
    assertEquals(1, view.readings());
  }

  private static EventSourcedBehaviorTestKit<Command, Event, EntityState> kit(String id, Clock clock) {
    return EventSourcedBehaviorTestKit.create(
        testKit.system(),
        TrackedEntity.create(withType(SECONDS, "kit", 3_600_000), new EntitySettings(Duration.ofMinutes(2)), READ_SIDE,
            READ_SIDE, id, Optional.empty(), clock),
        EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyState(false));
  }

  /** A journal written before ReadingsRecorded named when: the same events without {@code recordedAt}. */
  private static Event withoutRecordedAt(Event event) {
    if (event instanceof CommandJournaled command) {
      return CommandJournaled.of(command.entries().stream().map(ExpiringEntityTest::withoutRecordedAt).toList());
    }
    return event instanceof ReadingsRecorded recorded
        ? new ReadingsRecorded(recorded.topic(), recorded.readings(), recorded.configVersion())
        : event;
  }

  /** A journal of one reading recorded at {@code recordedAt}, its window closed by silence and published. */
  private static void heardThenIdle(EventSourcedBehaviorTestKit<Command, Event, EntityState> kit, String id,
      long recordedAt, boolean namesWhen) {
    EntityState folded = new EntityState(withType(SECONDS, "kit", 3_600_000), id);
    Event heard = RecordPlan.record(folded, DEFAULT_TOPIC, List.of(reading(1, 5_500, 1.5)), 0, recordedAt).journaled();
    RecordPlan idle = RecordPlan.idle(folded, 2_000);
    int closed = (int) idle.events().stream().filter(WindowClosed.class::isInstance).count();
    kit.initialize(namesWhen ? heard : withoutRecordedAt(heard), idle.journaled(), new IdleOutputsPublished(closed));
  }

  @Test
  void aJournalFromBeforeRecordedTimesTrustsTheSweepOnlyIfNothingWasJournaledSinceItsRow() {
    var kit = kit("meter-3", Clock.systemUTC());
    heardThenIdle(kit, "meter-3", 1_000, false); // a recovery knows no better than the index when it last heard
    long seqNr = kit.<EntityStateView>runCommand(GetState::new).reply().lastSeqNr();
    long twoHoursAgo = System.currentTimeMillis() - 7_200_000;

    var stale = kit.runCommand(new ExpireState(twoHoursAgo, seqNr - 1));
    assertEquals(List.of(), stale.events(), "journaled since that row: it may have heard readings");
    RecordingReadSide.ExpiryRow recorded = awaitRow("kit/meter-3", row -> row.seqNr() == seqNr);
    assertTrue(recorded.expiresAt() > System.currentTimeMillis(), "recorded again from what it knows: " + recorded);

    var trusted = kit.runCommand(new ExpireState(twoHoursAgo, seqNr));
    EntityExpired expired = assertInstanceOf(EntityExpired.class, trusted.event());
    assertTrue(expired.silentMs() >= 7_200_000, "silent since the row's last reading: " + expired);
    assertNotNull(trusted.state().toView(seqNr + 1).expiredAt());
  }

  @Test
  void theJournalsLastReadingOutranksAnOlderRowAfterARecovery() {
    var kit = kit("meter-4", Clock.systemUTC());
    long recordedAt = System.currentTimeMillis() - 60_000;
    heardThenIdle(kit, "meter-4", recordedAt, true);
    long seqNr = kit.<EntityStateView>runCommand(GetState::new).reply().lastSeqNr();

    var woken = kit.runCommand(new ExpireState(System.currentTimeMillis() - 7_200_000, seqNr));

    assertEquals(List.of(), woken.events(), "the journal says it heard a reading a minute ago");
    RecordingReadSide.ExpiryRow recorded = awaitRow("kit/meter-4", row -> row.seqNr() == seqNr);
    assertEquals(recordedAt, recorded.heardAt(), "recorded again from the journal: " + recorded);
    assertEquals(recordedAt + 3_600_000, recorded.expiresAt());
  }

  @Test
  void anEntityRecordsItsExpiryWithItsFirstReadingsOfEachIncarnationNotWithEveryReading() {
    var clock = new ManualClock(System.currentTimeMillis()); // still: the idle timer closes no window
    var kit = kit("meter-5", clock);
    kit.<RecordAck>runCommand(replyTo -> new RecordReadings(List.of(reading(1, 5_500, 1.5)), replyTo));
    RecordingReadSide.ExpiryRow first = awaitRow("kit/meter-5", row -> row.seqNr() == 1);
    assertEquals(clock.millis(), first.heardAt(), "this reading's processing time");
    assertEquals(first.heardAt() + 3_600_000, first.expiresAt(), "due even if it stops without passivating");

    kit.<RecordAck>runCommand(replyTo -> new RecordReadings(List.of(reading(2, 5_600, 1.6)), replyTo));
    assertEquals(first, READ_SIDE.expiries.get("kit/meter-5"), "not per reading: the row may be early");

    kit.restart(); // a crash or a handoff: no passivation
    clock.advance(1);
    kit.<RecordAck>runCommand(replyTo -> new RecordReadings(List.of(reading(3, 5_700, 1.7)), replyTo));
    RecordingReadSide.ExpiryRow again = awaitRow("kit/meter-5", row -> row.seqNr() == 3);
    assertEquals(first.expiresAt() + 1, again.expiresAt(), "the new incarnation records it again");
  }

  @Test
  void theFirstReadingsAfterARecoveryPastTheTtlExpireTheStateFirstAndStartAfresh() {
    var clock = new ManualClock(System.currentTimeMillis());
    var kit = kit("meter-6", clock);
    long heardAt = clock.millis();
    kit.<RecordAck>runCommand(replyTo -> new RecordReadings(List.of(reading(1, 5_500, 1.5)), replyTo));
    clock.advance(2_000); // past idle-close: its timer closes the window
    testKit.createTestProbe().awaitAssert(PATIENCE, () -> {
      assertEquals(0, kit.<EntityStateView>runCommand(GetState::new).reply().openWindows().size(), "idle-closed");
      return null;
    });
    kit.restart(); // stopped without passivating: its own timers never ran out
    clock.advance(3_600_000);

    var back = kit.<RecordAck>runCommand(replyTo -> new RecordReadings(List.of(reading(2, 9_500, 2.5)), replyTo));

    List<Event> entries = back.event().entries();
    EntityExpired expired = assertInstanceOf(EntityExpired.class, entries.get(0), "ahead of the readings: " + entries);
    assertEquals(clock.millis() - heardAt, expired.silentMs(), "silent since the journal's last readings");
    assertInstanceOf(ReadingsRecorded.class, entries.get(1));
    assertEquals(1, back.reply().recorded());
    EntityStateView view = kit.<EntityStateView>runCommand(GetState::new).reply();
    assertNull(view.expiredAt(), "heard again");
    assertEquals(Map.of("kwh", 2.5), view.lastValues(), "fresh baselines");
    assertEquals(2, view.readings());

    kit.restart();
    assertEquals(view, kit.<EntityStateView>runCommand(GetState::new).reply(), "replay gives the same state");
  }

  @Test
  void aSweepPagesThroughDueRowsSoRowsThatStayDueDoNotHideTheRest() {
    var index = new RecordingReadSide();
    for (int i = 1; i <= 5; i++) { // entities that never journaled: waking them does not rewrite their rows
      index.expiresAt("sleeping", "stuck-" + i, 0, 1, 0, true);
    }
    var sweep = new StateExpirySweep(testKit.system(), index, "sleeping", Clock.systemUTC(), 2);

    for (int i = 0; i < 4; i++) {
      sweep.sweep();
    }

    assertEquals(List.of(List.of("stuck-1", "stuck-2"), List.of("stuck-3", "stuck-4"), List.of("stuck-5"),
        List.of("stuck-1", "stuck-2")), index.dueReads, "from where the last sweep stopped, then over again");
  }

  /** Processing time the test moves on by hand: the timers still run in real time. */
  private static final class ManualClock extends Clock {
    private volatile long now;

    ManualClock(long now) {
      this.now = now;
    }

    void advance(long ms) {
      now += ms;
    }

    @Override
    public long millis() {
      return now;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(now);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }
}
