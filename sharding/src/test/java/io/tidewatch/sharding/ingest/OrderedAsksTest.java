package io.tidewatch.sharding.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class OrderedAsksTest {

  private final OrderedAsks<String, String, String> asks = new OrderedAsks<>(1000);
  private final List<String> sent = new ArrayList<>();

  /** Sends the one item {@code name} to {@code entity}; the ask is answered (or fails) when the test says so. */
  private CompletableFuture<String> send(String entity, long consumer, String name, CompletableFuture<String> reply) {
    return asks.send(entity, consumer, List.of(name), items -> {
      sent.add(String.join("+", items));
      return reply;
    });
  }

  @Test
  void theNextAskWaitsUntilThePreviousOneIsAnswered() {
    long consumer = asks.newConsumer();
    CompletableFuture<String> first = new CompletableFuture<>();
    send("x", consumer, "first", first);
    CompletableFuture<String> second = send("x", consumer, "second", CompletableFuture.completedFuture("ok"));

    assertEquals(List.of("first"), sent);
    first.complete("ok");
    assertEquals(List.of("first", "second"), sent);
    assertTrue(second.isDone());
    assertEquals(0, asks.unanswered());
  }

  @Test
  void otherEntitiesAreNotHeldBack() {
    long consumer = asks.newConsumer();
    send("x", consumer, "x1", new CompletableFuture<>());
    send("y", consumer, "y1", new CompletableFuture<>());

    assertEquals(List.of("x1", "y1"), sent);
    assertEquals(2, asks.unanswered());
  }

  @Test
  void anAskIsNeverSentAfterAnEarlierOneOfTheSameConsumerFailedEvenWhenItFailedFirst() {
    // The failure is already known when the next batch comes: sending it would record a later batch after an
    // earlier one was lost, and the earlier one's redelivery would be taken for a duplicate.
    long consumer = asks.newConsumer();
    CompletableFuture<String> first = new CompletableFuture<>();
    send("x", consumer, "first", first);
    first.completeExceptionally(new RuntimeException("ask timed out"));

    CompletableFuture<String> second = send("x", consumer, "second", new CompletableFuture<>());
    CompletableFuture<String> third = send("x", consumer, "third", new CompletableFuture<>());

    assertEquals(List.of("first"), sent);
    assertTrue(second.isCompletedExceptionally());
    assertTrue(third.isCompletedExceptionally());
  }

  @Test
  void aNewConsumerPassesOverFailuresOfEarlierOnes() {
    long old = asks.newConsumer();
    CompletableFuture<String> failed = new CompletableFuture<>();
    send("x", old, "old", failed);
    failed.completeExceptionally(new RuntimeException("ask timed out"));

    long next = asks.newConsumer(); // starts from the last commit: it redelivers the failed batch itself
    CompletableFuture<String> redelivered = send("x", next, "redelivered", CompletableFuture.completedFuture("ok"));

    assertEquals(List.of("old", "redelivered"), sent);
    assertFalse(redelivered.isCompletedExceptionally());
  }

  @Test
  void aNewConsumerStillWaitsForUnansweredAsksOfEarlierOnes() {
    long old = asks.newConsumer();
    CompletableFuture<String> pending = new CompletableFuture<>();
    send("x", old, "old", pending);

    long next = asks.newConsumer();
    send("x", next, "next", new CompletableFuture<>());
    assertEquals(List.of("old"), sent);

    pending.complete("ok");
    assertEquals(List.of("old", "next"), sent);
  }

  @Test
  void aFailureOfAnEarlierConsumerThatComesLateStillStopsTheAsksChainedToIt() {
    long old = asks.newConsumer();
    CompletableFuture<String> pending = new CompletableFuture<>();
    send("x", old, "old", pending);
    long next = asks.newConsumer();
    CompletableFuture<String> chained = send("x", next, "chained", new CompletableFuture<>());

    pending.completeExceptionally(new RuntimeException("ask timed out"));

    assertTrue(chained.isCompletedExceptionally());
    CompletableFuture<String> after = send("x", next, "after", new CompletableFuture<>());
    assertTrue(after.isCompletedExceptionally(), "the failure is now this consumer's");
    assertEquals(List.of("old"), sent);
  }

  @Test
  void laterBatchesOfAnEntityWhoseAskIsUnansweredJoinOneWaitingAsk() {
    long consumer = asks.newConsumer();
    CompletableFuture<String> first = new CompletableFuture<>();
    CompletableFuture<String> joined = new CompletableFuture<>();
    send("x", consumer, "a", first);
    CompletableFuture<String> b = send("x", consumer, "b", joined);
    CompletableFuture<String> c = send("x", consumer, "c", new CompletableFuture<>());
    assertEquals(List.of("a"), sent);
    assertEquals(1, asks.unanswered(), "one entity waits");

    first.complete("ok");
    assertEquals(List.of("a", "b+c"), sent, "one ask with both, in order");
    assertFalse(b.isDone());
    joined.complete("both");
    assertEquals("both", b.join());
    assertEquals("both", c.join());
    assertEquals(0, asks.unanswered());
  }

  @Test
  void aBatchAfterTheWaitingAskWasSentWaitsForItInstead() {
    long consumer = asks.newConsumer();
    CompletableFuture<String> first = new CompletableFuture<>();
    send("x", consumer, "a", first);
    send("x", consumer, "b", new CompletableFuture<>());
    first.complete("ok");

    send("x", consumer, "c", CompletableFuture.completedFuture("ok"));
    assertEquals(List.of("a", "b"), sent);
  }

  @Test
  void aNewConsumerDoesNotJoinTheWaitingAskOfAnEarlierOne() {
    long old = asks.newConsumer();
    CompletableFuture<String> first = new CompletableFuture<>();
    CompletableFuture<String> waiting = new CompletableFuture<>();
    send("x", old, "a", first);
    send("x", old, "b", waiting);

    long next = asks.newConsumer();
    send("x", next, "c", CompletableFuture.completedFuture("ok"));
    first.complete("ok");
    assertEquals(List.of("a", "b"), sent);
    waiting.complete("ok");
    assertEquals(List.of("a", "b", "c"), sent);
  }

  @Test
  void batchesJoinedBehindAFailedAskFailWithoutBeingSent() {
    long consumer = asks.newConsumer();
    CompletableFuture<String> first = new CompletableFuture<>();
    send("x", consumer, "a", first);
    CompletableFuture<String> b = send("x", consumer, "b", new CompletableFuture<>());
    CompletableFuture<String> c = send("x", consumer, "c", new CompletableFuture<>());

    first.completeExceptionally(new RuntimeException("ask timed out"));
    assertTrue(b.isCompletedExceptionally());
    assertTrue(c.isCompletedExceptionally());
    assertTrue(send("x", consumer, "d", new CompletableFuture<>()).isCompletedExceptionally());
    assertEquals(List.of("a"), sent);
  }

  @Test
  void noMoreThanTheBoundOfAsksAreSentAndUnansweredAtATime() {
    OrderedAsks<String, String, String> two = new OrderedAsks<>(2);
    long consumer = two.newConsumer();
    CompletableFuture<String> x = new CompletableFuture<>();
    two.send("x", consumer, List.of("x"), items -> send(items, x));
    two.send("y", consumer, List.of("y"), items -> send(items, new CompletableFuture<>()));
    CompletableFuture<String> z = two.send("z", consumer, List.of("z"), items -> send(items, CompletableFuture.completedFuture("ok")));
    assertEquals(List.of("x", "y"), sent);
    assertEquals(2, two.inFlight());
    assertFalse(z.isDone());

    x.complete("ok");
    assertEquals(List.of("x", "y", "z"), sent, "z takes the place x left");
    assertEquals("ok", z.join());
    assertEquals(1, two.inFlight(), "z was answered at once; y is still out");
  }

  @Test
  void anAskWaitingForItsTurnTakesInTheEntitysLaterBatches() {
    OrderedAsks<String, String, String> one = new OrderedAsks<>(1);
    long consumer = one.newConsumer();
    CompletableFuture<String> x = new CompletableFuture<>();
    one.send("x", consumer, List.of("x"), items -> send(items, x));
    CompletableFuture<String> a = one.send("y", consumer, List.of("a"), items -> send(items, CompletableFuture.completedFuture("ab")));
    CompletableFuture<String> b = one.send("y", consumer, List.of("b"), items -> send(items, CompletableFuture.completedFuture("b")));
    assertEquals(List.of("x"), sent);

    x.complete("ok");
    assertEquals(List.of("x", "a+b"), sent, "one ask with both, in order");
    assertEquals("ab", a.join());
    assertEquals("ab", b.join());
    assertEquals(0, one.inFlight());
  }

  @Test
  void manyAsksAnsweredAtOnceHandOnTheirPlaceWithoutDeepening() {
    OrderedAsks<String, String, String> one = new OrderedAsks<>(1);
    long consumer = one.newConsumer();
    CompletableFuture<String> first = new CompletableFuture<>();
    one.send("first", consumer, List.of("first"), items -> send(items, first));
    List<CompletableFuture<String>> failing = new ArrayList<>();
    for (int i = 0; i < 100_000; i++) {
      failing.add(one.send("e" + i, consumer, List.of("e" + i),
          items -> send(items, CompletableFuture.failedFuture(new IllegalStateException("no route")))));
    }
    assertEquals(1, sent.size());

    first.complete("ok"); // a stack frame per hand-on would overflow here
    assertEquals(100_001, sent.size());
    assertTrue(failing.stream().allMatch(CompletableFuture::isCompletedExceptionally));
    assertEquals(0, one.inFlight());
  }

  private CompletableFuture<String> send(List<String> items, CompletableFuture<String> reply) {
    sent.add(String.join("+", items));
    return reply;
  }
}
