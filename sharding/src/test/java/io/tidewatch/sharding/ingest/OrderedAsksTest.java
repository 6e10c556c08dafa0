package io.tidewatch.sharding.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class OrderedAsksTest {

  private final OrderedAsks<String, String> asks = new OrderedAsks<>();
  private final List<String> sent = new ArrayList<>();

  /** An ask that records that it was sent and is answered (or fails) when the test says so. */
  private Supplier<CompletableFuture<String>> ask(String name, CompletableFuture<String> reply) {
    return () -> {
      sent.add(name);
      return reply;
    };
  }

  @Test
  void theNextAskWaitsUntilThePreviousOneIsAnswered() {
    long consumer = asks.newConsumer();
    CompletableFuture<String> first = new CompletableFuture<>();
    asks.send("x", consumer, ask("first", first));
    CompletableFuture<String> second = asks.send("x", consumer, ask("second", CompletableFuture.completedFuture("ok")));

    assertEquals(List.of("first"), sent);
    first.complete("ok");
    assertEquals(List.of("first", "second"), sent);
    assertTrue(second.isDone());
    assertEquals(0, asks.unanswered());
  }

  @Test
  void otherEntitiesAreNotHeldBack() {
    long consumer = asks.newConsumer();
    asks.send("x", consumer, ask("x1", new CompletableFuture<>()));
    asks.send("y", consumer, ask("y1", new CompletableFuture<>()));

    assertEquals(List.of("x1", "y1"), sent);
    assertEquals(2, asks.unanswered());
  }

  @Test
  void anAskIsNeverSentAfterAnEarlierOneOfTheSameConsumerFailedEvenWhenItFailedFirst() {
    // The failure is already known when the next batch comes: sending it would record a later batch after an
    // earlier one was lost, and the earlier one's redelivery would be taken for a duplicate.
    long consumer = asks.newConsumer();
    CompletableFuture<String> first = new CompletableFuture<>();
    asks.send("x", consumer, ask("first", first));
    first.completeExceptionally(new RuntimeException("ask timed out"));

    CompletableFuture<String> second = asks.send("x", consumer, ask("second", new CompletableFuture<>()));
    CompletableFuture<String> third = asks.send("x", consumer, ask("third", new CompletableFuture<>()));

    assertEquals(List.of("first"), sent);
    assertTrue(second.isCompletedExceptionally());
    assertTrue(third.isCompletedExceptionally());
  }

  @Test
  void aNewConsumerPassesOverFailuresOfEarlierOnes() {
    long old = asks.newConsumer();
    CompletableFuture<String> failed = new CompletableFuture<>();
    asks.send("x", old, ask("old", failed));
    failed.completeExceptionally(new RuntimeException("ask timed out"));

    long next = asks.newConsumer(); // starts from the last commit: it redelivers the failed batch itself
    CompletableFuture<String> redelivered = asks.send("x", next, ask("redelivered", CompletableFuture.completedFuture("ok")));

    assertEquals(List.of("old", "redelivered"), sent);
    assertFalse(redelivered.isCompletedExceptionally());
  }

  @Test
  void aNewConsumerStillWaitsForUnansweredAsksOfEarlierOnes() {
    long old = asks.newConsumer();
    CompletableFuture<String> pending = new CompletableFuture<>();
    asks.send("x", old, ask("old", pending));

    long next = asks.newConsumer();
    asks.send("x", next, ask("next", new CompletableFuture<>()));
    assertEquals(List.of("old"), sent);

    pending.complete("ok");
    assertEquals(List.of("old", "next"), sent);
  }

  @Test
  void aFailureOfAnEarlierConsumerThatComesLateStillStopsTheAsksChainedToIt() {
    long old = asks.newConsumer();
    CompletableFuture<String> pending = new CompletableFuture<>();
    asks.send("x", old, ask("old", pending));
    long next = asks.newConsumer();
    CompletableFuture<String> chained = asks.send("x", next, ask("chained", new CompletableFuture<>()));

    pending.completeExceptionally(new RuntimeException("ask timed out"));

    assertTrue(chained.isCompletedExceptionally());
    CompletableFuture<String> after = asks.send("x", next, ask("after", new CompletableFuture<>()));
    assertTrue(after.isCompletedExceptionally(), "the failure is now this consumer's");
    assertEquals(List.of("old"), sent);
  }
}
