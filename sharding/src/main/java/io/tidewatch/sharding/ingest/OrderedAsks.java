package io.tidewatch.sharding.ingest;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Keeps the asks to each entity in order: an entity's next ask is sent only once its previous one was answered.
 *
 * <p>Entities recognise redeliveries by the highest Kafka offset they recorded, so what an entity recorded must
 * always be a prefix of what was consumed. Were a later batch recorded while an earlier one failed, the earlier
 * one's redelivery would be taken for a duplicate and lost. So a failed ask stays on record for its entity and
 * every later ask of the same consumer fails with it — the stream fails anyway, but may take a few more batches
 * before it notices. A new consumer starts again from the last commit, before any failed batch, so it passes over
 * failures of earlier consumers; it still waits for their unanswered asks.
 *
 * <p>While an entity's ask is unanswered, the items of the same consumer's later batches join one waiting ask, in
 * order, sent when the previous one is answered. So the slower the entity (a backlog, a busy journal), the more
 * readings one ask — and one journal write — carries; a live stream still sends one reading per ask.
 *
 * <p>At most {@code maxInFlight} asks are sent and unanswered at a time; the others wait their turn (first come,
 * first sent) and keep taking in later items until then. That bound is the ingest's backpressure on the entities:
 * a cold backlog that wakes thousands of entities at once does not queue thousands of recoveries and writes behind
 * each other, and an ask's timeout measures its entity's work rather than its place in a queue.
 *
 * @param <K> what names an entity
 * @param <V> one item an ask carries
 * @param <R> the reply
 */
final class OrderedAsks<K, V, R> {

  /** An ask of the {@code consumer}-th consumer; it holds its items while waiting, until it is sent. */
  private static final class Ask<V, R> {
    final long consumer;
    final CompletableFuture<R> reply = new CompletableFuture<>();
    List<V> waiting; // guarded by the OrderedAsks: null once sent or failed

    Ask(long consumer, List<V> items) {
      this.consumer = consumer;
      this.waiting = new ArrayList<>(items);
    }
  }

  /** An ask whose turn has come but that waits for one of the {@code maxInFlight} places. */
  private record Ready<V, R>(Ask<V, R> ask, Function<List<V>, CompletableFuture<R>> send) {}

  /** The last ask per entity that is waiting, unanswered or failed. Guarded by {@code this}. */
  private final Map<K, Ask<V, R>> last = new HashMap<>();
  private final int maxInFlight;
  private final Deque<Ready<V, R>> ready = new ArrayDeque<>(); // guarded by this
  private int inFlight; // guarded by this
  private long consumers;

  OrderedAsks(int maxInFlight) {
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight must be positive, was " + maxInFlight);
    }
    this.maxInFlight = maxInFlight;
  }

  /** A new consumer begins; returns its number, to pass to {@link #send}. */
  synchronized long newConsumer() {
    last.values().removeIf(ask -> ask.reply.isCompletedExceptionally()); // its redeliveries replace them
    return ++consumers;
  }

  /**
   * Sends {@code items} with {@code ask} once the entity's previous ask was answered, joining the entity's waiting ask
   * if this consumer has one. The result fails without sending if the previous ask failed and was sent by the same
   * consumer. Several calls may share one result.
   */
  CompletableFuture<R> send(K entity, long consumer, List<V> items, Function<List<V>, CompletableFuture<R>> ask) {
    Ask<V, R> previous;
    Ask<V, R> next;
    synchronized (this) {
      previous = last.get(entity);
      if (previous != null && previous.consumer == consumer && previous.waiting != null) {
        previous.waiting.addAll(items);
        return previous.reply;
      }
      next = new Ask<>(consumer, items);
      last.put(entity, next);
    }
    next.reply.thenRun(() -> forget(entity, next)); // answered: nothing to wait for; a failure stays on record
    if (previous == null || (previous.consumer != consumer && previous.reply.isCompletedExceptionally())) {
      dispatch(next, ask);
    } else {
      previous.reply.whenComplete((answered, failure) -> {
        if (failure == null) {
          dispatch(next, ask);
        } else {
          fail(next, failure);
        }
      });
    }
    return next.reply;
  }

  /** Entities with an ask not answered yet (sent or waiting). */
  synchronized long unanswered() {
    return last.values().stream().filter(ask -> !ask.reply.isDone()).count();
  }

  /** Asks sent and not answered yet: at most {@code maxInFlight}. */
  synchronized int inFlight() {
    return inFlight;
  }

  /** The ask's turn has come: send it now if there is room, else when an ask in flight is answered. */
  private void dispatch(Ask<V, R> next, Function<List<V>, CompletableFuture<R>> send) {
    synchronized (this) {
      if (inFlight >= maxInFlight) {
        ready.addLast(new Ready<>(next, send));
        return;
      }
      inFlight++;
    }
    sendInTurn(new Ready<>(next, send));
  }

  /**
   * Sends {@code first} in a place already taken, then, as each answer comes, hands the place on to the next ready
   * ask. Asks answered at once (a failure to send) are handed on in this loop, not by recursion.
   */
  private void sendInTurn(Ready<V, R> first) {
    for (Ready<V, R> current = first; current != null; ) {
      List<V> items;
      synchronized (this) {
        items = current.ask().waiting;
        current.ask().waiting = null; // from now on later batches wait for this one
      }
      CompletableFuture<R> sent;
      try {
        sent = current.send().apply(items);
      } catch (RuntimeException e) {
        sent = CompletableFuture.failedFuture(e);
      }
      Ask<V, R> ask = current.ask();
      if (!sent.isDone()) {
        sent.whenComplete((answer, failure) -> {
          answered(ask, answer, failure);
          Ready<V, R> following = handOn();
          if (following != null) {
            sendInTurn(following);
          }
        });
        return;
      }
      sent.whenComplete((answer, failure) -> answered(ask, answer, failure)); // done: runs now, in this thread
      current = handOn();
    }
  }

  /** One ask in flight was answered: its place goes to the next ready ask, if any (returned), else is freed. */
  private synchronized Ready<V, R> handOn() {
    Ready<V, R> following = ready.pollFirst();
    if (following == null) {
      inFlight--;
    }
    return following;
  }

  private void answered(Ask<V, R> ask, R answer, Throwable failure) {
    if (failure == null) {
      ask.reply.complete(answer);
    } else {
      ask.reply.completeExceptionally(failure);
    }
  }

  private void fail(Ask<V, R> next, Throwable failure) {
    synchronized (this) {
      next.waiting = null;
    }
    next.reply.completeExceptionally(failure);
  }

  private synchronized void forget(K entity, Ask<V, R> answered) {
    last.remove(entity, answered);
  }
}
