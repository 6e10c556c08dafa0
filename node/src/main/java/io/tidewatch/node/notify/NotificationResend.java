package io.tidewatch.node.notify;

import io.tidewatch.http.notify.FailedNotifications;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The operators' side of dead-lettered notifications: the stored list, and a resend that POSTs once, now, to the
 * receiver as configured today (its URL and secret may have been fixed since), with the same {@code webhook-id}, and
 * removes the row when the receiver answers 2xx.
 */
public final class NotificationResend implements FailedNotifications {

  private final CassandraFailedNotifications store;
  private final WebhookDelivery delivery;
  private final Map<String, Receiver> receivers;

  NotificationResend(CassandraFailedNotifications store, WebhookDelivery delivery, List<Receiver> receivers) {
    this.store = store;
    this.delivery = delivery;
    this.receivers = receivers.stream().collect(Collectors.toMap(Receiver::name, Function.identity()));
  }

  @Override
  public CompletionStage<List<Failed>> newestFirst(String after, int limit) {
    return store.newestFirst(after, limit).thenApply(list -> list.stream().map(FailedNotification::view).toList());
  }

  @Override
  public boolean isId(String id) {
    return FailedNotification.isId(id);
  }

  @Override
  public CompletionStage<Optional<Resent>> resend(String id) {
    return store.find(id).thenCompose(found -> {
      if (found.isEmpty()) {
        return CompletableFuture.completedFuture(Optional.empty());
      }
      Notification n = found.get().notification();
      Receiver receiver = receivers.get(n.receiver());
      if (receiver == null) {
        return CompletableFuture.completedFuture(Optional.of(new Resent(
            id, n.receiver(), n.webhookId(), false, 0, "no receiver '" + n.receiver() + "' is configured any more")));
      }
      return delivery.once(receiver, n).thenCompose(attempt -> {
        if (attempt instanceof WebhookDelivery.Succeeded ok) {
          return store.delete(id).thenApply(done ->
              Optional.of(new Resent(id, n.receiver(), n.webhookId(), true, ok.status(), "delivered")));
        }
        return CompletableFuture.completedFuture(Optional.of(
            new Resent(id, n.receiver(), n.webhookId(), false, attempt.status(), attempt.reason())));
      });
    });
  }
}
