package io.tidewatch.sharding;

import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.ClusterEvent.CurrentClusterState;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.ShardCoordinator;
import org.apache.pekko.cluster.sharding.external.ExternalShardAllocationStrategy;
import org.apache.pekko.cluster.typed.Cluster;
import scala.collection.immutable.IndexedSeq;
import scala.collection.immutable.Map;
import scala.collection.immutable.Set;
import scala.concurrent.ExecutionContext;
import scala.concurrent.Future;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Pekko's external allocation (shards follow their Kafka partitions, {@code ingest/ShardLocations}), kept away
 * from members that cannot take part: a region on a member that is unreachable or no longer Up is neither handed
 * a shard nor asked to hand one off.
 *
 * <p>Why: when a node crashes, the survivors' consumers take its partitions and claim its shards before the
 * cluster has removed it. The external strategy then rebalances those shards away from the dead region; the
 * coordinator's hand-off waits for the dead region, and when the region is finally declared terminated the
 * hand-off still waits for a "shard stopped" that can never come — the full 60 s hand-off timeout, during which
 * the shard can be allocated nowhere. Left alone, the shards of a removed region are reallocated as soon as it is
 * terminated, to the location their partition's consumer set.
 */
final class ReachableShardAllocation implements ShardCoordinator.StartableAllocationStrategy {

  private final ExternalShardAllocationStrategy external;
  private final Cluster cluster;

  ReachableShardAllocation(ActorSystem<?> system, ExternalShardAllocationStrategy external) {
    this.external = external;
    this.cluster = Cluster.get(system);
  }

  @Override
  public void start() {
    external.start();
  }

  @Override
  public Future<ActorRef> allocateShard(
      ActorRef requester, String shardId, Map<ActorRef, IndexedSeq<String>> currentShardAllocations) {
    return external
        .allocateShard(requester, shardId, currentShardAllocations)
        .map(region -> canTakePart(region) ? region : requester, ExecutionContext.parasitic$.MODULE$);
  }

  @Override
  public Future<Set<String>> rebalance(
      Map<ActorRef, IndexedSeq<String>> currentShardAllocations, Set<String> rebalanceInProgress) {
    return external
        .rebalance(currentShardAllocations, rebalanceInProgress)
        .map(shards -> {
          java.util.Set<String> kept = new java.util.HashSet<>();
          for (String shard : CollectionConverters.asJava(shards)) {
            if (currentShardAllocations.exists(allocation -> allocation._2().contains(shard) && canTakePart(allocation._1()))) {
              kept.add(shard);
            }
          }
          return CollectionConverters.asScala(kept).toSet();
        }, ExecutionContext.parasitic$.MODULE$);
  }

  /** The region's member is Up and reachable (the coordinator's own node always is). */
  boolean canTakePart(ActorRef region) {
    Address address = region.path().address();
    if (address.hasLocalScope()) {
      return true;
    }
    CurrentClusterState state = cluster.state();
    for (Member member : state.getMembers()) {
      if (member.address().equals(address)) {
        return member.status() == MemberStatus.up() && !state.getUnreachable().contains(member);
      }
    }
    return false;
  }
}
