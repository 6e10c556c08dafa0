package io.tidewatch.node.notify;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the notifier reports (to the global registry behind {@code /metrics}): notifications delivered, dead-lettered
 * and retried per receiver, transitions silenced and inhibited per receiver that would have had them, and {@code tidewatch_notification_latency_seconds}, from a notification's oldest
 * transition ({@code at}, when the entity journaled it) to the receiver's 2xx.
 */
final class NotifierMetrics {

  private final MeterRegistry registry;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final Timer latency;

  NotifierMetrics(MeterRegistry registry, List<Receiver> receivers) {
    this.registry = registry;
    this.latency = Timer.builder("tidewatch.notification.latency")
        .description("Time from an incident transition (its 'at') to the receiver's 2xx for the notification carrying it")
        .publishPercentileHistogram()
        .maximumExpectedValue(Duration.ofHours(1))
        .register(registry);
    // Every receiver from the start, at 0: a rate over a series that appears with its first increment misses it.
    for (Receiver r : receivers) {
      counter("delivered", r.name());
      counter("dead.lettered", r.name());
      counter("retried", r.name());
      counter("silenced", r.name());
      counter("inhibited", r.name());
    }
  }

  void delivered(String receiver, long oldestAtMs, long nowMs) {
    counter("delivered", receiver).increment();
    latency.record(Duration.ofMillis(Math.max(0, nowMs - oldestAtMs)));
  }

  void deadLettered(String receiver) {
    counter("dead.lettered", receiver).increment();
  }

  void retried(String receiver) {
    counter("retried", receiver).increment();
  }

  void silenced(String receiver) {
    counter("silenced", receiver).increment();
  }

  void inhibited(String receiver) {
    counter("inhibited", receiver).increment();
  }

  private Counter counter(String outcome, String receiver) {
    return counters.computeIfAbsent(outcome + "/" + receiver, k -> Counter.builder("tidewatch.notifications." + outcome)
        .description(outcome.equals("silenced") || outcome.equals("inhibited")
            ? "Incident transitions not sent because " + outcome + ", per receiver that wanted them"
            : "Notifications " + outcome.replace('.', ' ') + " (retried: attempts after a failure)")
        .tag("receiver", receiver)
        .register(registry));
  }
}
