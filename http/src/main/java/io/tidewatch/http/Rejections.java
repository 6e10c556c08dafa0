package io.tidewatch.http;

import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.pattern.StatusReply;

/** What an entity answered with {@link StatusReply#error}, as the problem a route answers with. */
final class Rejections {

  private Rejections() {}

  /**
   * {@code asked}, with an entity's rejection turned into the problem {@code rejected} makes of its reason; other
   * failures (a timeout) pass on unchanged.
   */
  static <T> CompletionStage<T> asProblem(CompletionStage<T> asked, Function<String, ProblemException> rejected) {
    return asked.exceptionally(failure -> {
      Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
      if (cause instanceof StatusReply.ErrorMessage rejection) {
        throw rejected.apply(rejection.getMessage());
      }
      throw failure instanceof CompletionException c ? c : new CompletionException(cause);
    });
  }
}
