package io.tidewatch.sharding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.external.ExternalShardAllocation;
import org.apache.pekko.cluster.sharding.external.ExternalShardAllocationStrategy;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import scala.collection.immutable.IndexedSeq;
import scala.concurrent.Await;
import scala.concurrent.Future;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The external allocation kept away from a region whose member is gone: the situation of a crashed node whose
 * partitions the survivors' consumers have already claimed while the coordinator still lists its region.
 */
class ReachableShardAllocationTest {

  private static final String TYPE = "meter";
  private static final Address CRASHED = new Address("pekko", "tidewatch", "127.0.0.1", 1);

  private static final ActorTestKit testKit =
      ActorTestKit.create(
          "tidewatch",
          ConfigFactory.parseString(
                  """
                  pekko.actor.provider = cluster
                  pekko.remote.artery.canonical { hostname = "127.0.0.1", port = 0 }
                  """)
              .withFallback(ConfigFactory.load()));

  private static ExternalShardAllocationStrategy external;
  private static ReachableShardAllocation reachable;
  private static ActorRef here;
  private static ActorRef crashed;

  @BeforeAll
  static void joinAndPlaceShards() throws Exception {
    var system = testKit.system();
    Cluster.get(system).manager().tell(Join.create(Cluster.get(system).selfMember().address()));
    testKit.createTestProbe().awaitAssert(Duration.ofSeconds(10), () -> {
      assertEquals(MemberStatus.up(), Cluster.get(system).selfMember().status());
      return null;
    });
    external = ExternalShardAllocationStrategy.create(system, TYPE, Duration.ofSeconds(5));
    reachable = new ReachableShardAllocation(system, external);
    reachable.start();
    here = Adapter.toClassic(testKit.createTestProbe().ref());
    crashed = ((ExtendedActorSystem) Adapter.toClassic(system)).provider()
        .resolveActorRef(CRASHED + "/system/sharding/" + TYPE);
    var client = ExternalShardAllocation.get(system).getClient(TYPE);
    // Shard 1's partition is now consumed here; shard 2's still names the crashed node.
    client.setShardLocations(Map.of("1", Cluster.get(system).selfMember().address(), "2", CRASHED))
        .toCompletableFuture().get();
    // The strategy learns the locations from distributed data a moment later.
    testKit.createTestProbe().awaitAssert(Duration.ofSeconds(10), () -> {
      assertEquals(crashed, await(external.allocateShard(here, "2", allocations(List.of(), List.of()))));
      return null;
    });
  }

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static scala.collection.immutable.Map<ActorRef, IndexedSeq<String>> allocations(
      List<String> onCrashed, List<String> onHere) {
    return scala.collection.immutable.Map$.MODULE$.from(CollectionConverters.asScala(Map.of(
        crashed, CollectionConverters.asScala(onCrashed).toIndexedSeq(),
        here, CollectionConverters.asScala(onHere).toIndexedSeq())));
  }

  private static <T> T await(Future<T> future) {
    try {
      return Await.result(future, scala.concurrent.duration.Duration.create(10, "s"));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static Set<String> shards(scala.collection.immutable.Set<String> shards) {
    return Set.copyOf(CollectionConverters.asJava(shards));
  }

  @Test
  void aShardOnTheRegionOfAMemberThatIsGoneIsNotRebalanced() throws Exception {
    var current = allocations(List.of("1"), List.of());
    var none = scala.collection.immutable.Set$.MODULE$.<String>empty();

    assertEquals(Set.of("1"), shards(await(external.rebalance(current, none))),
        "Pekko's external strategy would hand shard 1 off from the crashed region, which can never confirm it");
    assertTrue(shards(await(reachable.rebalance(current, none))).isEmpty());
  }

  @Test
  void aShardWhosePartitionNamesAMemberThatIsGoneGoesToTheRequester() throws Exception {
    var current = allocations(List.of(), List.of());

    assertEquals(crashed, await(external.allocateShard(here, "2", current)),
        "Pekko's external strategy would place shard 2 on the crashed region");
    assertEquals(here, await(reachable.allocateShard(here, "2", current)));
  }

  @Test
  void onlyUpAndReachableMembersTakePart() {
    assertTrue(reachable.canTakePart(here));
    assertFalse(reachable.canTakePart(crashed));
  }
}
