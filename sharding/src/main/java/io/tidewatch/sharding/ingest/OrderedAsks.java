package io.tidewatch.sharding.ingest;

import java.util.ArrayList;
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

  /** The last ask per entity that is waiting, unanswered or failed. Guarded by {@code this}. */
  private final Map<K, Ask<V, R>> last = new HashMap<>();
  private long consumers;

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

  private void dispatch(Ask<V, R> next, Function<List<V>, CompletableFuture<R>> ask) {
    List<V> items;
    synchronized (this) {
      items = next.waiting;
      next.waiting = null; // from now on later batches wait for this one
    }
    CompletableFuture<R> sent;
    try {
      sent = ask.apply(items);
    } catch (RuntimeException e) {
      sent = CompletableFuture.failedFuture(e);
    }
    sent.whenComplete((answer, failure) -> {
      if (failure == null) {
        next.reply.complete(answer);
      } else {
        next.reply.completeExceptionally(failure);
      }
    });
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
