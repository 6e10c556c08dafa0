package io.tidewatch.http.notify;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Webhook notifications that the notifier gave up on (a receiver's refusal, or its retry budget spent), for operators:
 * listed newest first and sent again on request. The node wires the Cassandra-backed one; the interface keeps the
 * routes free of the notifier and its store.
 */
public interface FailedNotifications {

  /**
   * One dead-lettered notification.
   *
   * @param id this failure's id, the one {@link #resend} takes and the list's {@code after} cursor
   * @param webhookId the notification's idempotency key ({@code webhook-id}), the same when it is sent again
   * @param transitionIds the incident transitions it carries, each with its own stable id
   * @param reason why it was given up: the receiver's status and the start of its answer, or the last failure
   * @param failedAt when it was given up, epoch milliseconds
   */
  record Failed(
      String id, String receiver, String webhookId, String groupKey, List<String> transitionIds, int attempts,
      String reason, long failedAt) {

    public Failed {
      transitionIds = List.copyOf(transitionIds);
    }
  }

  /**
   * What sending a failed notification again did: delivered (and no longer listed), or not (and still listed).
   *
   * @param status the receiver's HTTP status; 0 when it did not answer
   * @param detail the receiver's refusal or the failure when not delivered
   */
  record Resent(String id, String receiver, String webhookId, boolean delivered, int status, String detail) {}

  /** Newest first, those after the {@code after} id (from a previous page) when given; at most {@code limit}. */
  CompletionStage<List<Failed>> newestFirst(String after, int limit);

  /** Sends it again now, once; empty when there is no failed notification with that id. */
  CompletionStage<Optional<Resent>> resend(String id);

  /** True when {@code id} has the form of a failure id: anything else is a bad parameter rather than an unknown id. */
  boolean isId(String id);

  /** None stored: for a node without the store, and tests that do not look at notifications. */
  static FailedNotifications none() {
    return new FailedNotifications() {
      @Override
      public CompletionStage<List<Failed>> newestFirst(String after, int limit) {
        return CompletableFuture.completedFuture(List.of());
      }

      @Override
      public CompletionStage<Optional<Resent>> resend(String id) {
        return CompletableFuture.completedFuture(Optional.empty());
      }

      @Override
      public boolean isId(String id) {
        return true;
      }
    };
  }
}
