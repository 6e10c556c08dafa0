package io.tidewatch.sharding;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import io.tidewatch.protocol.EntityProtocol.AnomalyDetected;
import io.tidewatch.protocol.EntityProtocol.DuplicatesIgnored;
import io.tidewatch.protocol.EntityProtocol.Event;
import io.tidewatch.protocol.EntityProtocol.IncidentChanged;
import io.tidewatch.protocol.EntityProtocol.WindowClosed;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the entities of one type report to Micrometer's global registry (Prometheus at {@code /metrics}): journal
 * write latency, windows closed, late readings, duplicates, anomalies per rule, incident transitions per rule,
 * entities alive on this node, and recoveries that failed (deploy/prometheus/tidewatch-rules.yml alerts on those).
 */
final class EntityMetrics {

  private static final Map<String, EntityMetrics> BY_TYPE = new ConcurrentHashMap<>();

  private final MeterRegistry registry = Metrics.globalRegistry;
  private final String type;
  private final AtomicLong active = new AtomicLong();
  private final Timer persist;
  private final Counter late;
  private final Counter duplicates;
  private final Counter recoveryFailures;
  private final Map<String, Counter> closedBySpec = new ConcurrentHashMap<>();
  private final Map<String, Counter> anomaliesByRule = new ConcurrentHashMap<>();
  private final Map<String, Counter> incidents = new ConcurrentHashMap<>(); // by rule and transition

  private EntityMetrics(String type) {
    this.type = type;
    Gauge.builder("tidewatch.entities.active", active, AtomicLong::get)
        .description("Entities running on this node")
        .tag("type", type)
        .register(registry);
    this.persist =
        Timer.builder("tidewatch.persist")
            .description("Time from an entity's persist to its journal's confirmation")
            .tag("type", type)
            .publishPercentileHistogram()
            .maximumExpectedValue(Duration.ofSeconds(30))
            .register(registry);
    this.late = Counter.builder("tidewatch.late.readings").tag("type", type).register(registry);
    this.duplicates = Counter.builder("tidewatch.duplicates").tag("type", type).register(registry);
    this.recoveryFailures = Counter.builder("tidewatch.entity.recovery.failures")
        .description("Entities whose recovery from the journal failed")
        .tag("type", type)
        .register(registry);
  }

  static EntityMetrics of(String type) {
    return BY_TYPE.computeIfAbsent(type, EntityMetrics::new);
  }

  void started() {
    active.incrementAndGet();
  }

  void stopped() {
    active.decrementAndGet();
  }

  void recoveryFailed() {
    recoveryFailures.increment();
  }

  /** After a persist: its latency and what its events did. */
  void persisted(long startedNanos, List<Event> events, long lateReadings) {
    persist.record(System.nanoTime() - startedNanos, TimeUnit.NANOSECONDS);
    late.increment(lateReadings);
    for (Event event : events) {
      if (event instanceof WindowClosed closed) {
        closedBySpec
            .computeIfAbsent(closed.spec(), spec -> registry.counter("tidewatch.windows.closed", "type", type, "spec", spec))
            .increment();
      } else if (event instanceof AnomalyDetected alert) {
        anomaliesByRule
            .computeIfAbsent(alert.rule(), rule -> registry.counter("tidewatch.anomalies", "type", type, "rule", rule))
            .increment();
      } else if (event instanceof IncidentChanged change) {
        incidents
            .computeIfAbsent(change.rule() + "/" + change.transition().id(), key -> registry.counter(
                "tidewatch.incidents", "type", type, "rule", change.rule(), "transition", change.transition().id()))
            .increment();
      } else if (event instanceof DuplicatesIgnored ignored) {
        duplicates.increment(ignored.count());
      }
    }
  }
}
