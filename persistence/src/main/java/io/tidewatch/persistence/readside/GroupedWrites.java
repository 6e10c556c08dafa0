package io.tidewatch.persistence.readside;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Group commit: one write is in flight at a time, and what is added meanwhile goes in the next write, up to
 * {@code maxPerWrite} items. Idle, an item is written at once; under load (a cold backlog starts thousands of
 * entities at once, each listing itself) many items share one request.
 *
 * @param <T> one item
 */
final class GroupedWrites<T> {

  private record Pending<T>(T item, CompletableFuture<Void> written) {}

  private final int maxPerWrite;
  private final Function<List<T>, CompletionStage<?>> write;
  private final Deque<Pending<T>> queue = new ArrayDeque<>(); // guarded by this
  private boolean writing; // guarded by this

  /** @param write writes a group of items; a failure fails every item of the group */
  GroupedWrites(int maxPerWrite, Function<List<T>, CompletionStage<?>> write) {
    if (maxPerWrite < 1) {
      throw new IllegalArgumentException("maxPerWrite must be positive, was " + maxPerWrite);
    }
    this.maxPerWrite = maxPerWrite;
    this.write = write;
  }

  /** Completes once a write holding the item succeeded. */
  CompletionStage<Void> add(T item) {
    Pending<T> pending = new Pending<>(item, new CompletableFuture<>());
    boolean start;
    synchronized (this) {
      queue.addLast(pending);
      start = !writing;
      writing = true;
    }
    if (start) {
      writeNext();
    }
    return pending.written();
  }

  /** Writes the next group, then the one after it, until nothing waits (a loop, so answers at once do not nest). */
  private void writeNext() {
    while (true) {
      List<Pending<T>> group = new ArrayList<>();
      synchronized (this) {
        while (!queue.isEmpty() && group.size() < maxPerWrite) {
          group.add(queue.pollFirst());
        }
        if (group.isEmpty()) {
          writing = false;
          return;
        }
      }
      CompletableFuture<?> written;
      try {
        written = write.apply(group.stream().map(Pending::item).toList()).toCompletableFuture();
      } catch (RuntimeException e) {
        written = CompletableFuture.failedFuture(e);
      }
      if (!written.isDone()) {
        written.whenComplete((ok, failure) -> {
          settle(group, failure);
          writeNext();
        });
        return;
      }
      written.whenComplete((ok, failure) -> settle(group, failure)); // done: runs now, in this thread
    }
  }

  private static <T> void settle(List<Pending<T>> group, Throwable failure) {
    for (Pending<T> pending : group) {
      if (failure == null) {
        pending.written().complete(null);
      } else {
        pending.written().completeExceptionally(failure);
      }
    }
  }
}
