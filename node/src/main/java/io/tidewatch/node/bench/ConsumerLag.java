package io.tidewatch.node.bench;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/** Where a consumer group stands on a topic, per partition: its committed offsets and the topic's end offsets. */
final class ConsumerLag {

  /** One look at the group: committed and end offset of every partition. */
  record Sample(Map<Integer, Long> committed, Map<Integer, Long> end) {

    long lag() {
      return end.entrySet().stream().mapToLong(e -> e.getValue() - committed.getOrDefault(e.getKey(), 0L)).sum();
    }

    long committedTotal() {
      return committed.values().stream().mapToLong(Long::longValue).sum();
    }

    long endTotal() {
      return end.values().stream().mapToLong(Long::longValue).sum();
    }

    /** True when every partition has committed past where it stood in {@code earlier}. */
    boolean advancedEverywhereSince(Sample earlier) {
      return end.keySet().stream().allMatch(p -> committed.getOrDefault(p, 0L) > earlier.committed().getOrDefault(p, 0L));
    }
  }

  private final Admin admin;
  private final String group;
  private final String topic;

  ConsumerLag(Admin admin, String group, String topic) {
    this.admin = admin;
    this.group = group;
    this.topic = topic;
  }

  Sample sample() throws ExecutionException, InterruptedException {
    int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (int p = 0; p < partitions; p++) {
      latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
    }
    Map<Integer, Long> end = admin.listOffsets(latest).all().get().entrySet().stream()
        .collect(Collectors.toMap(e -> e.getKey().partition(), e -> e.getValue().offset()));
    Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
    Map<Integer, Long> committed = offsets.entrySet().stream()
        .filter(e -> e.getKey().topic().equals(topic) && e.getValue() != null)
        .collect(Collectors.toMap(e -> e.getKey().partition(), e -> e.getValue().offset()));
    return new Sample(committed, end);
  }
}
