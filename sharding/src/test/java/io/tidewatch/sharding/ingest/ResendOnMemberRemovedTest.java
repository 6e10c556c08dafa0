package io.tidewatch.sharding.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class ResendOnMemberRemovedTest {

  /** The delayed copies, run when the test says the delay is over. */
  private final List<Runnable> delayed = new ArrayList<>();
  private final ResendOnMemberRemoved resend = new ResendOnMemberRemoved(delayed::add);
  /** One reply per copy sent, answered (or failed) when the test says so. */
  private final List<CompletableFuture<String>> copies = new ArrayList<>();

  private final Supplier<CompletableFuture<String>> ask = () -> {
    CompletableFuture<String> reply = new CompletableFuture<>();
    copies.add(reply);
    return reply;
  };

  private int copiesSent() {
    return copies.size();
  }

  private CompletableFuture<String> copy(int i) {
    return copies.get(i);
  }

  /** The delay after a removal is over: the copies it scheduled go out. */
  private void delayPasses() {
    List<Runnable> due = new ArrayList<>(delayed);
    delayed.clear();
    due.forEach(Runnable::run);
  }

  @Test
  void anAskAnsweredBeforeAnyRemovalIsSentOnce() {
    CompletableFuture<String> result = resend.send(ask);
    copy(0).complete("ack");
    resend.memberRemoved();
    delayPasses();

    assertEquals("ack", result.join());
    assertEquals(1, copiesSent());
    assertEquals(0, resend.tracked(), "an answered ask is no longer tracked");
  }

  @Test
  void anAskUnansweredWhenAMemberIsRemovedIsSentAgainAndTheCopysAnswerCounts() {
    CompletableFuture<String> result = resend.send(ask);
    resend.memberRemoved();
    delayPasses();
    assertEquals(2, copiesSent());
    assertFalse(result.isDone());

    copy(0).completeExceptionally(new TimeoutException("the first went to the crashed member"));
    assertFalse(result.isDone(), "a copy is still out");
    copy(1).complete("ack");
    assertEquals("ack", result.join());
  }

  @Test
  void whicheverCopyAnswersFirstCounts() {
    CompletableFuture<String> result = resend.send(ask);
    resend.memberRemoved();
    delayPasses();
    assertEquals(2, copiesSent());

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
  void anAskFailsOnceEveryCopyFailed() {
    CompletableFuture<String> result = resend.send(ask);
    resend.memberRemoved();
    delayPasses();
    assertEquals(2, copiesSent());

    copy(1).completeExceptionally(new TimeoutException("copy"));
    assertFalse(result.isDone(), "the first may still be answered");
    copy(0).completeExceptionally(new TimeoutException("first"));
    assertThrows(CompletionException.class, result::join);
    assertEquals(0, resend.tracked(), "a failed ask is no longer tracked");
  }

  @Test
  void eachRemovalSendsOneMoreCopyWhileUnanswered() {
    CompletableFuture<String> result = resend.send(ask);
    resend.memberRemoved();
    delayPasses();
    resend.memberRemoved(); // e.g. a rolling restart: one more copy, not one per copy already out
    delayPasses();
    assertEquals(3, copiesSent());

    copy(2).complete("ack");
    assertEquals("ack", result.join());
  }
}
