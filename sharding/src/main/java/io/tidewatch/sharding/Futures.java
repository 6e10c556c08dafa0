package io.tidewatch.sharding;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Pekko's Java API completes Scala futures through {@code scala.jdk.FutureConverters}, whose
 * {@code CompletableFuture} runs every non-async continuation ({@code thenApply}, {@code whenComplete}, ...)
 * asynchronously on the common pool. On a 2-core machine the common pool has parallelism 1, and the JDK then
 * starts a new thread for every such task: on the ingest path that is thousands of threads a second. Stages from
 * Pekko go through {@link #plain} before they are composed.
 */
public final class Futures {

  private Futures() {}

  /** The same outcome as a plain JDK future whose continuations run where they complete. */
  public static <T> CompletableFuture<T> plain(CompletionStage<T> stage) {
    CompletableFuture<T> plain = new CompletableFuture<>();
    stage.whenCompleteAsync(
        (value, failure) -> {
          if (failure != null) {
            plain.completeExceptionally(failure);
          } else {
            plain.complete(value);
          }
        },
        Runnable::run);
    return plain;
  }
}
