package io.tidewatch.sharding;

import io.tidewatch.protocol.EntityProtocol.Command;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Utils;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.ShardingMessageExtractor;

/**
 * Shards aligned with Kafka partitions: an entity's shard is the partition Kafka's default partitioner gives its
 * id (records are keyed by entity id). Together with {@code ShardLocations} moving shards to the node that consumes
 * their partition, readings are processed where they are consumed.
 */
public final class PartitionShards extends ShardingMessageExtractor<ShardingEnvelope<Command>, Command> {

  private final int partitions;

  public PartitionShards(int partitions) {
    if (partitions < 1) {
      throw new IllegalArgumentException("the input topic has at least one partition");
    }
    this.partitions = partitions;
  }

  /** The partition Kafka's default partitioner puts a record keyed {@code entityId} in. */
  public static int partitionOf(String entityId, int partitions) {
    return Utils.toPositive(Utils.murmur2(entityId.getBytes(StandardCharsets.UTF_8))) % partitions;
  }

  @Override
  public String entityId(ShardingEnvelope<Command> envelope) {
    return envelope.entityId();
  }

  @Override
  public String shardId(String entityId) {
    return String.valueOf(partitionOf(entityId, partitions));
  }

  @Override
  public Command unwrapMessage(ShardingEnvelope<Command> envelope) {
    return envelope.message();
  }
}
