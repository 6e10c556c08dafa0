package io.tidewatch.sharding;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;

class PartitionShardsTest {

  @Test
  void anEntitysShardIsThePartitionKafkaPutsItsRecordsIn() {
    PartitionShards shards = new PartitionShards(4);
    for (int i = 0; i < 1_000; i++) {
      String id = String.format("sensor-%05d", i);
      int kafka = BuiltInPartitioner.partitionForKey(id.getBytes(StandardCharsets.UTF_8), 4);
      assertEquals(String.valueOf(kafka), shards.shardId(id), id);
    }
  }
}
