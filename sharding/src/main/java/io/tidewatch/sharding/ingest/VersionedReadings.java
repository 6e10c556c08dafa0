package io.tidewatch.sharding.ingest;

import io.tidewatch.protocol.EntityProtocol.SourcedReading;
import java.util.ArrayList;
import java.util.List;

/**
 * An entity's readings of one ingest batch and the version of its type's configuration whose pipeline shaped them:
 * batches that join one waiting ask ({@link OrderedAsks}) keep their versions apart, since a command names one.
 */
record VersionedReadings(int configVersion, List<SourcedReading> readings) {

  /** Consecutive batches of the same version as one run each, in order (almost always a single run). */
  static List<VersionedReadings> joined(List<VersionedReadings> batches) {
    if (batches.size() == 1) {
      return batches;
    }
    List<VersionedReadings> runs = new ArrayList<>();
    List<SourcedReading> run = null;
    int version = 0;
    for (VersionedReadings batch : batches) {
      if (run == null || batch.configVersion() != version) {
        run = new ArrayList<>(batch.readings());
        version = batch.configVersion();
        runs.add(new VersionedReadings(version, run));
      } else {
        run.addAll(batch.readings());
      }
    }
    return runs;
  }
}
