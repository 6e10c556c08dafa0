package io.tidewatch.node.notify;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.pattern.Patterns;

/**
 * POSTs a notification to its receiver until it is delivered or dead-lettered: a 2xx is delivered; 5xx, 408, 429,
 * timeouts and connection failures are tried again after an exponential backoff (a {@code Retry-After} on 429/503
 * replaces it, up to max-backoff, so one receiver cannot hold the offsets for hours); any other 4xx will not change
 * by retrying and is dead-lettered at once. Each attempt is signed anew with its own {@code webhook-timestamp}, so a
 * receiver's replay window holds for retries too. An Alertmanager receiver is classified the same way; its POSTs carry
 * no signature (Alertmanager takes none) and go to its alerts API.
 *
 * <p>Waits are scheduled on the actor system's scheduler, so no thread sleeps, and a system that stops (a node
 * going down) abandons its pending retries: the offsets stay uncommitted and the next owner of the partition retries.
 */
public final class WebhookDelivery {

  /** How much of a refusing receiver's answer goes into the reason. */
  static final int REASON_BODY_CHARS = 200;

  /** What one delivery came to. */
  public sealed interface Outcome {
    int attempts();
  }

  public record Delivered(int attempts, int status) implements Outcome {}

  public record DeadLettered(int attempts, int status, String reason) implements Outcome {}

  /** One attempt: answered 2xx, failed in a way worth retrying (after {@code retryAfter} when given), or refused. */
  sealed interface Attempt {
    /** The receiver's HTTP status; 0 when it did not answer. */
    int status();

    String reason();
  }

  record Succeeded(int status) implements Attempt {
    @Override
    public String reason() {
      return "delivered";
    }
  }

  record Retryable(int status, String reason, Duration retryAfter) implements Attempt {}

  record Refused(int status, String reason) implements Attempt {}

  private final ActorSystem<?> system;
  private final HttpClient http;
  private final Duration requestTimeout;
  private final NotifySettings.Retry retry;
  private final NotifierMetrics metrics;
  private final Clock clock;

  WebhookDelivery(
      ActorSystem<?> system, HttpClient http, Duration requestTimeout, NotifySettings.Retry retry,
      NotifierMetrics metrics, Clock clock) {
    this.system = system;
    this.http = http;
    this.requestTimeout = requestTimeout;
    this.retry = retry;
    this.metrics = metrics;
    this.clock = clock;
  }

  /** Tries until delivered or the retry budget is spent; never fails (the system stopping aside). */
  public CompletionStage<Outcome> deliver(Receiver receiver, Notification notification) {
    return attemptFrom(1, receiver, notification);
  }

  private CompletionStage<Outcome> attemptFrom(int attempt, Receiver receiver, Notification notification) {
    return once(receiver, notification).thenCompose(result -> {
      if (result instanceof Succeeded ok) {
        return CompletableFuture.completedFuture(new Delivered(attempt, ok.status()));
      }
      if (result instanceof Refused refused) {
        metrics.deadLettered(receiver.name());
        return CompletableFuture.completedFuture(new DeadLettered(attempt, refused.status(), refused.reason()));
      }
      Retryable failed = (Retryable) result;
      if (attempt >= retry.maxAttempts()) {
        metrics.deadLettered(receiver.name());
        return CompletableFuture.completedFuture(new DeadLettered(
            attempt, failed.status(), "gave up after " + attempt + " attempts: " + failed.reason()));
      }
      metrics.retried(receiver.name());
      Duration wait = failed.retryAfter() != null ? min(failed.retryAfter(), retry.maxBackoff()) : backoff(attempt);
      return Patterns.after(wait, system.classicSystem().scheduler(), system.executionContext(),
          () -> attemptFrom(attempt + 1, receiver, notification));
    });
  }

  /** One POST, signed for a webhook; counts a delivery, never fails. */
  CompletionStage<Attempt> once(Receiver receiver, Notification notification) {
    long timestamp = clock.instant().getEpochSecond();
    HttpRequest request;
    try {
      HttpRequest.Builder builder = HttpRequest.newBuilder(receiver.endpoint())
          .timeout(requestTimeout)
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(notification.body(), StandardCharsets.UTF_8));
      if (receiver.kind() == Receiver.Kind.WEBHOOK) {
        builder
            .header("webhook-id", notification.webhookId())
            .header("webhook-timestamp", Long.toString(timestamp))
            .header("webhook-signature", receiver.signer().sign(notification.webhookId(), timestamp, notification.body()));
      }
      request = builder.build();
    } catch (IllegalArgumentException e) {
      return CompletableFuture.completedFuture(new Refused(0, "cannot send to " + receiver.endpoint() + ": " + e.getMessage()));
    }
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
        .<Attempt>thenApply(response -> {
          Attempt attempt = classify(response);
          if (attempt instanceof Succeeded) {
            metrics.delivered(receiver.name(), notification.oldestAt(), clock.millis());
          }
          return attempt;
        })
        .exceptionally(failure -> {
          Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
          if (cause instanceof HttpTimeoutException) {
            return new Retryable(0, "no answer within " + requestTimeout.toMillis() + " ms", null);
          }
          if (cause instanceof IOException) { // refused, reset, unknown host: the receiver may be back soon
            return new Retryable(0, "connection failed: " + cause, null);
          }
          return new Refused(0, "cannot send: " + cause);
        });
  }

  private Attempt classify(HttpResponse<String> response) {
    int status = response.statusCode();
    if (status / 100 == 2) {
      return new Succeeded(status);
    }
    String reason = "HTTP " + status + ": " + start(response.body());
    if (status / 100 == 5 || status == 408 || status == 429) {
      Duration retryAfter = status == 429 || status == 503
          ? response.headers().firstValue("Retry-After").map(this::retryAfter).orElse(null)
          : null;
      return new Retryable(status, reason, retryAfter);
    }
    return new Refused(status, reason);
  }

  /** Seconds or an HTTP-date; null when it is neither. */
  Duration retryAfter(String value) {
    String v = value.trim();
    try {
      return Duration.ofSeconds(Math.max(0, Long.parseLong(v)));
    } catch (NumberFormatException notSeconds) {
      try {
        Duration until = Duration.between(clock.instant(), ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME));
        return until.isNegative() ? Duration.ZERO : until;
      } catch (DateTimeParseException notDate) {
        return null;
      }
    }
  }

  /** min-backoff doubled per attempt up to max-backoff, plus up to random-factor of it as jitter. */
  Duration backoff(int attempt) {
    double base = retry.minBackoff().toMillis() * Math.pow(2, Math.min(attempt - 1, 30));
    double jittered = base * (1 + ThreadLocalRandom.current().nextDouble() * retry.randomFactor());
    return min(Duration.ofMillis((long) Math.min(jittered, Long.MAX_VALUE / 2)), retry.maxBackoff());
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static String start(String body) {
    String flat = body == null ? "" : body.strip().replaceAll("\\s+", " ");
    return flat.length() > REASON_BODY_CHARS ? flat.substring(0, REASON_BODY_CHARS) + "…" : flat;
  }
}
