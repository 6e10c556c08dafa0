package io.tidewatch.node;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Fault 1 of issue 6: three node JVMs ingest 100,000 readings of 1,000 sensors; one is killed with SIGKILL in the
 * middle. The survivors take over its partitions and shards; every sensor ends with exactly its readings and
 * windows — nothing lost, nothing counted twice — and answers from every surviving node.
 */
class NodeCrashIT {

  private static final int SENSORS = 1_000;
  private static final int PER_SENSOR = 100;

  private static TestCluster cluster;

  @BeforeAll
  static void start() throws Exception {
    cluster = TestCluster.start("crash-it", 3);
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aNodeKilledMidIngestLosesNothingAndCountsNothingTwice() throws Exception {
    long end = cluster.produceAndAwaitPart("crash", SENSORS, PER_SENSOR, 1.0 / 3);
    cluster.node(2).kill();
    cluster.awaitCommitted(end);

    cluster.assertExact("crash", SENSORS, PER_SENSOR, cluster.nodes().subList(0, 2));
  }
}
