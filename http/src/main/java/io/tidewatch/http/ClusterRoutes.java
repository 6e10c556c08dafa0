package io.tidewatch.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidewatch.http.auth.Access;
import io.tidewatch.http.auth.Role;
import io.tidewatch.persistence.state.EntityTypes;
import io.tidewatch.sharding.Futures;
import io.tidewatch.sharding.TrackedEntity;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.ClusterEvent.CurrentClusterState;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.ShardRegion.ClusterShardingStats;
import org.apache.pekko.cluster.sharding.ShardRegion.ShardRegionStats;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery;
import org.apache.pekko.cluster.sharding.typed.GetClusterShardingStats;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Down;
import org.apache.pekko.cluster.typed.Leave;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * For operators (DESIGN §4): the cluster's members as this node sees them, shards and entities per node and
 * type (sharding's own statistics), and a graceful leave or a forced down of a member.
 */
final class ClusterRoutes extends AllDirectives {

  record MemberView(String address, String status, List<String> roles, boolean reachable, int upNumber) {}

  record UnreachableView(String address, String status) {}

  record ClusterView(
      String self, String leader, String oldest, List<MemberView> members, List<UnreachableView> unreachable) {}

  record NodeShards(String address, int shards, long entities, Map<String, Integer> entitiesPerShard, List<String> failedShards) {}

  record TypeShards(String type, List<NodeShards> nodes) {}

  record ShardsView(List<TypeShards> types) {}

  record MemberAction(String address, String action) {}

  private final ActorSystem<?> system;
  private final Access access;
  private final EntityTypes types;
  private final ObjectMapper mapper;
  private final Duration timeout;

  ClusterRoutes(ActorSystem<?> system, Access access, EntityTypes types, ObjectMapper mapper, Duration timeout) {
    this.system = system;
    this.access = access;
    this.types = types;
    this.mapper = mapper;
    this.timeout = timeout;
  }

  Route routes() {
    return pathPrefix("cluster", () -> concat(
        pathEnd(() -> get(() -> access.require(Role.OPERATOR, () -> json(CompletableFuture.completedFuture(members()))))),
        path("shards", () -> get(() -> access.require(Role.OPERATOR, () -> json(shards())))),
        path(segment("members").slash(segment()).slash(segment()), (address, action) ->
            post(() -> access.require(Role.OPERATOR, () -> act(address, action))))));
  }

  private <T> Route json(CompletionStage<T> answer) {
    return onSuccess(answer, value -> completeOK(value, Jackson.marshaller(mapper)));
  }

  private ClusterView members() {
    Cluster cluster = Cluster.get(system);
    CurrentClusterState state = cluster.state();
    List<MemberView> members = new ArrayList<>();
    for (Member m : state.getMembers()) {
      members.add(new MemberView(
          m.address().toString(),
          m.status().toString(),
          m.getRoles().stream().sorted().toList(),
          !state.getUnreachable().contains(m),
          m.upNumber()));
    }
    List<UnreachableView> unreachable = new ArrayList<>();
    for (Member m : state.getUnreachable()) {
      unreachable.add(new UnreachableView(m.address().toString(), m.status().toString()));
    }
    Optional<Member> oldest =
        StreamSupport.stream(state.getMembers().spliterator(), false)
            .filter(m -> m.status() == MemberStatus.up())
            .reduce((a, b) -> a.isOlderThan(b) ? a : b);
    return new ClusterView(
        cluster.selfMember().address().toString(),
        state.getLeader() == null ? null : state.getLeader().toString(),
        oldest.map(m -> m.address().toString()).orElse(null),
        members,
        unreachable);
  }

  private CompletionStage<ShardsView> shards() {
    List<CompletableFuture<TypeShards>> perType = new ArrayList<>();
    for (String type : types.names()) {
      perType.add(
          Futures.plain(AskPattern.<ClusterShardingQuery, ClusterShardingStats>ask(
                  ClusterSharding.get(system).shardState(),
                  replyTo -> new GetClusterShardingStats(TrackedEntity.typeKey(type), timeout, replyTo),
                  timeout.plusSeconds(1),
                  system.scheduler()))
              .thenApply(stats -> typeShards(type, stats))
              .toCompletableFuture());
    }
    return CompletableFuture.allOf(perType.toArray(CompletableFuture[]::new))
        .thenApply(x -> new ShardsView(perType.stream().map(CompletableFuture::join).toList()));
  }

  private static TypeShards typeShards(String type, ClusterShardingStats stats) {
    List<NodeShards> nodes = new ArrayList<>();
    Map<String, ShardRegionStats> byAddress = new TreeMap<>();
    stats.getRegions().forEach((address, region) -> byAddress.put(address.toString(), region));
    for (Map.Entry<String, ShardRegionStats> region : byAddress.entrySet()) {
      Map<String, Integer> perShard = new TreeMap<>();
      region.getValue().getStats().forEach((shard, count) -> perShard.put(shard, ((Number) count).intValue()));
      long entities = perShard.values().stream().mapToLong(Integer::longValue).sum();
      nodes.add(new NodeShards(
          region.getKey(), perShard.size(), entities, perShard,
          region.getValue().getFailed().stream().sorted().toList()));
    }
    return new TypeShards(type, nodes);
  }

  /** {@code address} is a member's full address or its host:port. */
  private Route act(String address, String action) {
    if (!action.equals("leave") && !action.equals("down")) {
      throw ProblemException.notFound("a member can be told to leave or down, not '" + action + "'");
    }
    Cluster cluster = Cluster.get(system);
    Member member =
        StreamSupport.stream(cluster.state().getMembers().spliterator(), false)
            .filter(m -> m.address().toString().equals(address)
                || (m.address().getHost().orElse("") + ":" + m.address().getPort().orElse(-1)).equals(address))
            .findFirst()
            .orElseThrow(() -> ProblemException.notFound(
                "no member at '" + address + "'; give a full address (pekko://tidewatch@host:port) or host:port "
                    + "as GET /api/v1/cluster lists them"));
    if (action.equals("leave")) {
      cluster.manager().tell(Leave.create(member.address()));
    } else {
      cluster.manager().tell(new Down(member.address()));
    }
    return complete(StatusCodes.ACCEPTED, new MemberAction(member.address().toString(), action), Jackson.marshaller(mapper));
  }
}
