package io.tidewatch.node.notify;

import io.tidewatch.protocol.SilenceProtocol.Silence;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The silences as the notifier sees them: asked of the silences entity at most once per {@code ttl}, so a backlog of
 * transitions does not become a stream of asks to one actor. A silence created or expired is therefore seen up to
 * {@code ttl} later. When the ask fails the last answer is used (and said in the log); with no answer yet the batch
 * fails, and the notifier tries again from its last commit, rather than sending what an operator may have muted.
 */
final class SilenceCache {

  private static final Logger log = LoggerFactory.getLogger(SilenceCache.class);

  private record Fetched(List<Silence> silences, long atMs) {}

  private final Supplier<CompletionStage<List<Silence>>> ask;
  private final Duration ttl;
  private final Clock clock;
  private volatile Fetched last;
  private CompletableFuture<List<Silence>> pending; // guarded by this

  SilenceCache(Supplier<CompletionStage<List<Silence>>> ask, Duration ttl, Clock clock) {
    this.ask = ask;
    this.ttl = ttl;
    this.clock = clock;
  }

  CompletionStage<List<Silence>> current() {
    Fetched fetched = last;
    if (fetched != null && clock.millis() - fetched.atMs() < ttl.toMillis()) {
      return CompletableFuture.completedFuture(fetched.silences());
    }
    synchronized (this) {
      if (pending == null) { // one ask at a time, however many batches want it
        CompletableFuture<List<Silence>> next = new CompletableFuture<>();
        pending = next; // before asking: an answer that comes at once clears it
        long askedAt = clock.millis();
        ask.get().whenComplete((silences, failure) -> {
          synchronized (this) {
            pending = null;
          }
          Fetched known = last;
          if (failure == null) {
            last = new Fetched(List.copyOf(silences), askedAt);
            next.complete(last.silences());
          } else if (known != null) {
            log.warn("The silences entity did not answer ({}); using its answer of {} ms ago", failure.toString(),
                clock.millis() - known.atMs());
            next.complete(known.silences());
          } else {
            next.completeExceptionally(new IllegalStateException("the silences entity did not answer: " + failure, failure));
          }
        });
        return next;
      }
      return pending;
    }
  }
}
