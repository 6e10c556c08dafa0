package io.tidewatch.sharding.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.testkit.TestPublisher;
import org.apache.pekko.stream.testkit.TestSubscriber;
import org.apache.pekko.stream.testkit.javadsl.TestSink;
import org.apache.pekko.stream.testkit.javadsl.TestSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class BacklogBatchesTest {

  private static final Duration NEVER = Duration.ofHours(1);
  private static final Duration SHORT = Duration.ofMillis(100);
  private static final ActorTestKit testKit = ActorTestKit.create();

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static Pair<TestPublisher.Probe<Integer>, TestSubscriber.Probe<List<Integer>>> run(BacklogBatches<Integer> stage) {
    return TestSource.<Integer>probe(testKit.system().classicSystem())
        .via(Flow.fromGraph(stage))
        .toMat(TestSink.probe(testKit.system().classicSystem()), (pub, sub) -> Pair.create(pub, sub))
        .run(testKit.system());
  }

  @Test
  void aFullBatchGoesWithoutWaitingForItsWindow() {
    var probes = run(new BacklogBatches<>(3, NEVER, NEVER, () -> false));
    probes.second().request(2);
    probes.first().sendNext(1).sendNext(2).sendNext(3).sendNext(4);
    probes.second().expectNext(List.of(1, 2, 3));
  }

  @Test
  void whileTheConsumerKeepsUpTheLiveWindowClosesABatch() {
    var probes = run(new BacklogBatches<>(100, SHORT, NEVER, () -> false));
    probes.second().request(1);
    probes.first().sendNext(1).sendNext(2);
    probes.second().expectNext(Duration.ofSeconds(5), List.of(1, 2));
  }

  @Test
  void whileTheConsumerIsBehindABatchGrowsPastTheLiveWindowAsLongAsElementsKeepComing() {
    // 150 elements, one every 10 ms: 1.5 s, three live windows, and never a gap of one.
    var batches =
        Source.tick(Duration.ZERO, Duration.ofMillis(10), 1)
            .take(150)
            .via(Flow.fromGraph(new BacklogBatches<>(1000, Duration.ofMillis(500), NEVER, () -> true)))
            .runWith(Sink.seq(), testKit.system())
            .toCompletableFuture()
            .join();
    assertEquals(List.of(150), batches.stream().map(List::size).toList());
  }

  @Test
  void whileTheConsumerIsBehindABatchClosesOnceNothingArrivedForALiveWindow() {
    AtomicBoolean behind = new AtomicBoolean(true);
    var probes = run(new BacklogBatches<>(100, SHORT, NEVER, behind::get));
    probes.second().request(2);
    probes.first().sendNext(1).sendNext(2);
    probes.second().expectNext(Duration.ofSeconds(5), List.of(1, 2)); // not after the backlog window: never

    behind.set(false); // caught up: the next batch is closed by the live window
    probes.first().sendNext(3);
    probes.second().expectNext(Duration.ofSeconds(5), List.of(3));
  }

  @Test
  void whileTheConsumerIsBehindTheBacklogWindowClosesABatchThatKeepsGrowing() {
    var batches =
        Source.tick(Duration.ZERO, Duration.ofMillis(10), 1)
            .take(300)
            .via(Flow.fromGraph(new BacklogBatches<>(1000, Duration.ofMillis(500), Duration.ofSeconds(1), () -> true)))
            .runWith(Sink.seq(), testKit.system())
            .toCompletableFuture()
            .join();
    assertTrue(batches.size() >= 2, "a window of 1 s split 3 s of elements, got batches of " + batches.stream().map(List::size).toList());
    assertEquals(300, batches.stream().mapToInt(List::size).sum());
  }

  @Test
  void batchesAreNotEmittedBeforeDownstreamAsksAndKeepGrowingMeanwhile() {
    var probes = run(new BacklogBatches<>(100, SHORT, SHORT, () -> false));
    probes.second().ensureSubscription();
    probes.first().sendNext(1);
    probes.second().expectNoMessage(Duration.ofMillis(300)); // window over, but nothing requested
    probes.first().sendNext(2);
    probes.second().request(1);
    probes.second().expectNext(List.of(1, 2));
  }

  @Test
  void theLastBatchGoesWhenUpstreamCompletes() {
    var probes = run(new BacklogBatches<>(100, NEVER, NEVER, () -> false));
    probes.second().request(1);
    probes.first().sendNext(1).sendNext(2).sendComplete();
    probes.second().expectNext(List.of(1, 2));
    probes.second().expectComplete();
  }
}
