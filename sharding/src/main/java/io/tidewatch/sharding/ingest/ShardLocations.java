package io.tidewatch.sharding.ingest;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.external.ExternalShardAllocation;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.kafka.ConsumerRebalanceEvent;
import org.apache.pekko.kafka.TopicPartitionsAssigned;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The consumer's rebalance listener: when this node is assigned partitions of the input topic, the shards of the
 * same numbers (of every entity type) move here through Pekko's external shard allocation, so each reading is
 * processed on the node that consumed it. Written for us because pekko-connectors-kafka-cluster-sharding is not
 * on Maven Central.
 */
public final class ShardLocations {

  private ShardLocations() {}

  public static Behavior<ConsumerRebalanceEvent> create(String topic, List<String> entityTypes) {
    return Behaviors.setup(ctx ->
        Behaviors.receive(ConsumerRebalanceEvent.class)
            .onMessage(TopicPartitionsAssigned.class, assigned -> {
              Address self = Cluster.get(ctx.getSystem()).selfMember().address();
              Map<String, Address> here = new HashMap<>();
              for (TopicPartition partition : CollectionConverters.asJava(assigned.topicPartitions())) {
                if (partition.topic().equals(topic)) {
                  here.put(String.valueOf(partition.partition()), self);
                }
              }
              for (String type : entityTypes) {
                ExternalShardAllocation.get(ctx.getSystem())
                    .getClient(type)
                    .setShardLocations(here)
                    .whenComplete((done, failure) -> {
                      if (failure != null) {
                        ctx.getLog().warn("Could not move {} shards {} here: {}", type, here.keySet(), failure.toString());
                      }
                    });
              }
              ctx.getLog().info("Partitions {} assigned: their shards of {} live here", here.keySet(), entityTypes);
              return Behaviors.same();
            })
            .onMessage(ConsumerRebalanceEvent.class, revoked -> Behaviors.same()) // the next owner claims them
            .build());
  }
}
