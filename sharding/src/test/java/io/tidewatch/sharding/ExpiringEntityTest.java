package io.tidewatch.sharding;

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
import io.tidewatch.protocol.EntityProtocol.Command;
import io.tidewatch.protocol.EntityProtocol.EntityExpired;
import io.tidewatch.protocol.EntityProtocol.Event;
import io.tidewatch.protocol.EntityProtocol.ExpireState;
import io.tidewatch.protocol.EntityProtocol.GetState;
import io.tidewatch.protocol.EntityProtocol.RecordAck;
import io.tidewatch.protocol.EntityProtocol.RecordReadings;
import io.tidewatch.protocol.EntityProtocol.SourcedReading;
import io.tidewatch.protocol.EntityStateView;
import java.time.Clock;
import java.time.Duration;
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
 * A type's state-ttl in the entity: a running entity expires by its own timer; a passivated one records when it
 * expires in the entity index and the node's sweep wakes it; the sweep's command is trusted only if the entity
 * journaled nothing since its row.
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
    TrackedEntity.init(system, LiveTypes.of(new EntityTypes(Map.of("running", withType(SECONDS, "running", 1_500)))),
        new EntitySettings(Duration.ofSeconds(30)), READ_SIDE, READ_SIDE);
    EntityTypeConfig sleeping = withType(SECONDS, "sleeping", 3_000);
    TrackedEntity.init(system, LiveTypes.of(new EntityTypes(Map.of("sleeping", sleeping))),
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

  @Test
  void theSweepIsTrustedOnlyIfNothingWasJournaledSinceItsRow() {
    var kit = EventSourcedBehaviorTestKit.<Command, Event, EntityState>create(
        testKit.system(),
        TrackedEntity.create(withType(SECONDS, "kit", 3_600_000), new EntitySettings(Duration.ofMinutes(2)), READ_SIDE,
            READ_SIDE, "meter-3", Optional.empty(), Clock.systemUTC()),
        EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyState(false));
    kit.<RecordAck>runCommand(replyTo -> new RecordReadings(List.of(reading(1, 5_500, 1.5)), replyTo));
    testKit.createTestProbe().awaitAssert(PATIENCE, () -> {
      assertEquals(0, kit.<EntityStateView>runCommand(GetState::new).reply().openWindows().size(), "idle-closed");
      return null;
    });
    kit.restart(); // a recovery knows no better than the index when it last heard a reading
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
}
