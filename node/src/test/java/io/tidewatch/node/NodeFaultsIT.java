package io.tidewatch.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidewatch.node.cluster.NodeProcess;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Faults 2–4 of issue 6 on one three-node cluster (they share the brokers to stay within the CI budget; each feeds
 * its own sensors): Cassandra frozen, the Kafka broker restarted, and a rolling restart of every node, each during
 * ingestion, each ending with every sensor's exact result.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NodeFaultsIT {

  private static final int SENSORS = 300;
  private static final int PER_SENSOR = 100;
  private static final Duration FREEZE = Duration.ofSeconds(30);
  private static final Duration SETTLED = Duration.ofSeconds(15);

  private static TestCluster cluster;

  @BeforeAll
  static void start() throws Exception {
    cluster = TestCluster.start("faults-it", 3);
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Order(1)
  void cassandraFrozenMidIngestPausesItWithBackpressureAndItResumesExactly() throws Exception {
    long end = cluster.produceAndAwaitPart("frozen", SENSORS, PER_SENSOR, 0.25);

    long pid = cluster.infra().cassandra().pid();
    signal("STOP", pid);
    try {
      long frozenAt = System.nanoTime();
      awaitNotReady(cluster.node(0), FREEZE);
      // Batches journaled before the freeze are still committed for up to the committer's max-interval (Pekko's
      // default of 10 s); after that nothing more may be.
      sleepUntil(frozenAt + SETTLED.toNanos());
      long stalled = cluster.committed();
      sleepUntil(frozenAt + FREEZE.toNanos());
      // Nothing is acknowledged that was not journaled: with the journal frozen, no offset moves on.
      assertEquals(stalled, cluster.committed(), "offsets committed while Cassandra was frozen");
      assertTrue(stalled < end, "the backlog was not consumed before the freeze");
      for (NodeProcess node : cluster.nodes()) {
        assertTrue(node.isAlive(), node.name() + " died while Cassandra was frozen");
      }
    } finally {
      signal("CONT", pid);
    }

    cluster.awaitCommitted(end);
    cluster.nodes().forEach(node -> node.awaitReady(TestCluster.PATIENCE));
    cluster.assertExact("frozen", SENSORS, PER_SENSOR, cluster.nodes());
  }

  @Test
  @Order(2)
  void kafkaRestartedMidIngestResumesExactly() throws Exception {
    long end = cluster.produceAndAwaitPart("kafka", SENSORS, PER_SENSOR, 0.25);

    cluster.infra().restartKafka();

    cluster.awaitCommitted(end);
    cluster.assertExact("kafka", SENSORS, PER_SENSOR, cluster.nodes());
  }

  @Test
  @Order(3)
  void rollingRestartOfEveryNodeUnderLoadIsExact() throws Exception {
    // Readings keep arriving, a round (one per sensor) every 400 ms, while each node in turn stops and comes back.
    CompletableFuture<Void> load = CompletableFuture.runAsync(() -> {
      try {
        for (int i = 0; i < PER_SENSOR; i++) {
          cluster.produceRound("rolling", SENSORS, i);
          Thread.sleep(400);
        }
      } catch (Exception e) {
        throw new IllegalStateException("feeding readings failed", e);
      }
    });
    for (int i = 0; i < cluster.nodes().size(); i++) {
      cluster.restart(i);
    }
    load.join();

    cluster.awaitCommitted(cluster.endOffsets());
    cluster.assertExact("rolling", SENSORS, PER_SENSOR, cluster.nodes());
  }

  private static void signal(String signal, long pid) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(pid)).inheritIO().start();
    assertEquals(0, kill.waitFor(), "kill -" + signal + " " + pid);
  }

  /** Readiness must notice the frozen journal: /ready turns 503 well within the freeze. */
  private static void awaitNotReady(NodeProcess node, Duration within) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    while (node.ready()) {
      assertTrue(System.nanoTime() < deadline, node.name() + " stayed ready with Cassandra frozen");
      Thread.sleep(250);
    }
  }

  private static void sleepUntil(long nanoTime) throws InterruptedException {
    long left = nanoTime - System.nanoTime();
    if (left > 0) {
      Thread.sleep(left / 1_000_000);
    }
  }
}
