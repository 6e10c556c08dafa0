package io.tidewatch.sharding.ingest;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

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
 * @param <K> what names an entity
 * @param <R> the reply
 */
final class OrderedAsks<K, R> {

  /** An ask sent by the {@code consumer}-th consumer. */
  private record Ask<R>(long consumer, CompletableFuture<R> reply) {}

  /** The last ask per entity that is unanswered or failed. */
  private final Map<K, Ask<R>> last = new ConcurrentHashMap<>();
  private final AtomicLong consumers = new AtomicLong();

  /** A new consumer begins; returns its number, to pass to {@link #send}. */
  long newConsumer() {
    last.values().removeIf(ask -> ask.reply().isCompletedExceptionally()); // its redeliveries replace them
    return consumers.incrementAndGet();
  }

  /**
   * Sends {@code ask} once the entity's previous ask was answered; the result fails without sending if that one
   * failed and was sent by the same consumer.
   */
  CompletableFuture<R> send(K entity, long consumer, Supplier<CompletableFuture<R>> ask) {
    Ask<R> previous = last.get(entity);
    CompletableFuture<R> reply =
        previous == null || (previous.consumer() != consumer && previous.reply().isCompletedExceptionally())
            ? ask.get()
            : previous.reply().thenCompose(answered -> ask.get());
    Ask<R> sent = new Ask<>(consumer, reply);
    last.put(entity, sent);
    reply.thenRun(() -> last.remove(entity, sent)); // answered: nothing to wait for; a failure stays on record
    return reply;
  }

  /** Asks not answered yet. */
  long unanswered() {
    return last.values().stream().filter(ask -> !ask.reply().isDone()).count();
  }
}
