package io.tidewatch.persistence.state;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The highest Kafka offset an entity recorded per partition. Records are keyed by entity id, so an entity nearly
 * always reads from one partition: two small arrays cost a fraction of a boxed map.
 */
final class PartitionOffsets {

  private int[] partitions = {};
  private long[] offsets = {};

  /** The highest offset recorded from {@code partition}, or -1. */
  long get(int partition) {
    for (int i = 0; i < partitions.length; i++) {
      if (partitions[i] == partition) {
        return offsets[i];
      }
    }
    return -1;
  }

  void advance(int partition, long offset) {
    for (int i = 0; i < partitions.length; i++) {
      if (partitions[i] == partition) {
        offsets[i] = Math.max(offsets[i], offset);
        return;
      }
    }
    partitions = Arrays.copyOf(partitions, partitions.length + 1);
    offsets = Arrays.copyOf(offsets, offsets.length + 1);
    partitions[partitions.length - 1] = partition;
    offsets[offsets.length - 1] = offset;
  }

  Map<Integer, Long> toMap() {
    Map<Integer, Long> map = new HashMap<>();
    for (int i = 0; i < partitions.length; i++) {
      map.put(partitions[i], offsets[i]);
    }
    return map;
  }

  void putAll(Map<Integer, Long> map) {
    map.forEach(this::advance);
  }
}
