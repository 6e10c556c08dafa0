package io.tidewatch.sharding.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class ResendOnMemberRemovedTest {

  private final ResendOnMemberRemoved resend = new ResendOnMemberRemoved(Duration.ofMillis(20));
  /** One reply per copy sent, answered (or failed) when the test says so. */
  private final List<CompletableFuture<String>> copies = new ArrayList<>();

  private final Supplier<CompletableFuture<String>> ask = () -> {
    CompletableFuture<String> reply = new CompletableFuture<>();
    synchronized (copies) {
      copies.add(reply);
    }
    return reply;
  };

  private int copiesSent() {
    synchronized (copies) {
      return copies.size();
    }
  }

  private CompletableFuture<String> copy(int i) {
    synchronized (copies) {
      return copies.get(i);
    }
  }

  /** Waits (bounded) for the delayed copy; the delay is the behaviour under test, not a race being waited out. */
  private void awaitCopies(int n) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (copiesSent() < n && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertEquals(n, copiesSent());
  }

  @Test
  void anAskAnsweredBeforeAnyRemovalIsSentOnce() throws Exception {
    CompletableFuture<String> result = resend.send(ask);
    copy(0).complete("ack");
    resend.memberRemoved();
    Thread.sleep(100); // longer than the delay: a copy would have been sent by now

    assertEquals("ack", result.join());
    assertEquals(1, copiesSent());
  }

  @Test
  void anAskUnansweredWhenAMemberIsRemovedIsSentAgainAndTheCopysAnswerCounts() throws Exception {
    CompletableFuture<String> result = resend.send(ask);
    resend.memberRemoved();
    awaitCopies(2);
    assertFalse(result.isDone());

    copy(0).completeExceptionally(new TimeoutException("the first went to the crashed member"));
    assertFalse(result.isDone(), "a copy is still out");
    copy(1).complete("ack");
    assertEquals("ack", result.join());
  }

  @Test
  void whicheverCopyAnswersFirstCounts() throws Exception {
    CompletableFuture<String> result = resend.send(ask);
    resend.memberRemoved();
    awaitCopies(2);

    copy(0).complete("first");
    copy(1).complete("second");
    assertEquals("first", result.join());
  }

  @Test
  void anAskFailsWhenItFailsAndNoMemberWasRemoved() {
    CompletableFuture<String> result = resend.send(ask);
    copy(0).completeExceptionally(new TimeoutException("no answer"));

    CompletionException failure = assertThrows(CompletionException.class, result::join);
    assertTrue(failure.getCause() instanceof TimeoutException);
    assertEquals(1, copiesSent());
  }

  @Test
  void anAskFailsOnceEveryCopyFailed() throws Exception {
    CompletableFuture<String> result = resend.send(ask);
    resend.memberRemoved();
    awaitCopies(2);

    copy(1).completeExceptionally(new TimeoutException("copy"));
    assertFalse(result.isDone(), "the first may still be answered");
    copy(0).completeExceptionally(new TimeoutException("first"));
    assertThrows(CompletionException.class, result::join);
  }

  @Test
  void eachRemovalSendsOneMoreCopyWhileUnanswered() throws Exception {
    CompletableFuture<String> result = resend.send(ask);
    resend.memberRemoved();
    awaitCopies(2);
    resend.memberRemoved(); // e.g. a rolling restart: one more copy, not one per copy already out
    awaitCopies(3);

    copy(2).complete("ack");
    assertEquals("ack", result.join());
  }
}
