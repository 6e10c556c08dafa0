package io.tidewatch.persistence.state;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The highest Kafka offset an entity recorded per topic and partition. Records are keyed by entity id, so an entity
 * nearly always reads from one partition of one topic: small arrays cost a fraction of a boxed map. The topic is
 * part of the key so that readings from a renamed or new input topic are not taken for redeliveries.
 */
final class PartitionOffsets {

  private String[] topics = {};
  private int[] partitions = {};
  private long[] offsets = {};

  /** The highest offset recorded from {@code topic}/{@code partition}, or -1. */
  long get(String topic, int partition) {
    int i = indexOf(topic, partition);
    return i < 0 ? -1 : offsets[i];
  }

  void advance(String topic, int partition, long offset) {
    int i = indexOf(topic, partition);
    if (i >= 0) {
      offsets[i] = Math.max(offsets[i], offset);
      return;
    }
    topics = Arrays.copyOf(topics, topics.length + 1);
    partitions = Arrays.copyOf(partitions, partitions.length + 1);
    offsets = Arrays.copyOf(offsets, offsets.length + 1);
    topics[topics.length - 1] = topic.intern();
    partitions[partitions.length - 1] = partition;
    offsets[offsets.length - 1] = offset;
  }

  private int indexOf(String topic, int partition) {
    for (int i = 0; i < partitions.length; i++) {
      if (partitions[i] == partition && topics[i].equals(topic)) {
        return i;
      }
    }
    return -1;
  }

  /** As {@code "topic/partition" -> offset}, for snapshots. */
  Map<String, Long> toMap() {
    Map<String, Long> map = new HashMap<>();
    for (int i = 0; i < partitions.length; i++) {
      map.put(topics[i] + "/" + partitions[i], offsets[i]);
    }
    return map;
  }

  void putAll(PartitionOffsets other) {
    topics = other.topics.clone();
    partitions = other.partitions.clone();
    offsets = other.offsets.clone();
  }

  void putAll(Map<String, Long> map) {
    map.forEach((key, offset) -> {
      int slash = key.lastIndexOf('/');
      advance(key.substring(0, slash), Integer.parseInt(key.substring(slash + 1)), offset);
    });
  }
}
