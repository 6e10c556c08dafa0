package io.tidewatch.sharding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.typesafe.config.ConfigFactory;
import io.tidewatch.persistence.state.EntityTypeConfig;
import io.tidewatch.persistence.state.EntityTypes;
import io.tidewatch.persistence.state.LiveTypes;
import io.tidewatch.persistence.window.WindowSpec;
import io.tidewatch.protocol.EntityProtocol.GetState;
import io.tidewatch.protocol.EntityProtocol.RecordAck;
import io.tidewatch.protocol.EntityProtocol.RecordReadings;
import io.tidewatch.protocol.EntityProtocol.SourcedReading;
import io.tidewatch.protocol.EntityStateView;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.cluster.sharding.ShardRegion.CurrentShardRegionState;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** A sharded entity that falls silent closes its windows, passivates itself, and comes back with the same state. */
class PassivationTest {

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

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void aSilentEntityClosesItsWindowsPassivatesAndComesBackWithTheSameState() {
    var system = testKit.system();
    Cluster.get(system).manager().tell(Join.create(Cluster.get(system).selfMember().address()));
    EntityTypeConfig secondWindows = EntityTypeConfig.of("meter", List.of(WindowSpec.tumbling(1_000)), 0);
    var readSide = new RecordingReadSide();
    TrackedEntity.init(
        system, LiveTypes.fileOnly(new EntityTypes(Map.of("meter", secondWindows))), new EntitySettings(Duration.ofMillis(300)),
        readSide, readSide);
    var entity = ClusterSharding.get(system).entityRefFor(TrackedEntity.typeKey("meter"), "meter-1");
    var reading = new SourcedReading(5_500, Map.of("kwh", 1.5), null, Map.of(), 0, 1);
    entity.<RecordAck>ask(replyTo -> new RecordReadings(List.of(reading), replyTo), Duration.ofSeconds(10))
        .toCompletableFuture()
        .join();

    var probe = testKit.<CurrentShardRegionState>createTestProbe();
    probe.awaitAssert(
        Duration.ofSeconds(15),
        () -> {
          ClusterSharding.get(system).shardState().tell(new GetShardRegionState(TrackedEntity.typeKey("meter"), probe.ref()));
          Set<String> live = probe.receiveMessage().getShards().stream()
              .flatMap(shard -> shard.getEntityIds().stream())
              .collect(Collectors.toSet());
          assertFalse(live.contains("meter-1"), "meter-1 passivated");
          return null;
        });

    EntityStateView back =
        entity.ask(GetState::new, Duration.ofSeconds(10)).toCompletableFuture().join();
    assertEquals(1, back.readings());
    assertEquals(1, back.recentWindows().size(), "its window closed by silence before it passivated");
    assertEquals(5_000, back.recentWindows().get(0).start());
    assertEquals(0, back.openWindows().size());
    assertEquals(List.of(5_000L), readSide.published.stream().map(o -> o.windows().get(0).start()).toList(),
        "published once, by the entity itself");
  }
}
