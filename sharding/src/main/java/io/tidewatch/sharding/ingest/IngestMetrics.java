package io.tidewatch.sharding.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import io.tidewatch.protocol.ParseResult;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * What the ingest reports to Micrometer's global registry: readings recorded per type, dead letters per kind of
 * problem, ask latency, asks in flight, output publish latency and records, produce-to-state latency per batch, and
 * the consumer's lag per partition (read from the Kafka consumer's own metrics).
 */
final class IngestMetrics {

  private final MeterRegistry registry = Metrics.globalRegistry;
  private final Map<String, Double> lagByPartition = new ConcurrentHashMap<>();
  // Looked up once per type: asks are the hot path, a registry lookup builds a meter id each time.
  private final Map<String, Counter> ingestedByType = new ConcurrentHashMap<>();
  private final Map<String, Timer> askByType = new ConcurrentHashMap<>();

  // How much each batch and each ask carries: under a backlog, throughput depends on many readings per journal write.
  private final DistributionSummary batchRecords = DistributionSummary.builder("tidewatch.ingest.batch.records")
      .description("Records per consumed batch")
      .register(registry);
  private final DistributionSummary askReadings = DistributionSummary.builder("tidewatch.ingest.ask.readings")
      .description("Readings per ask to an entity")
      .register(registry);
  private final Timer outputs = Timer.builder("tidewatch.output.publish")
      .description("Time from an entity's acknowledgement (its events journaled) to the broker's and the read side's "
          + "acknowledgement of the windows and alerts it carried")
      .publishPercentileHistogram()
      .maximumExpectedValue(Duration.ofSeconds(30))
      .register(registry);
  private final Timer latency = Timer.builder("tidewatch.ingest.latency")
      .description("Time from the Kafka timestamp of a batch's oldest record to every reading of the batch journaled "
          + "and its outputs published (just before its offsets are committed): produce to state, under a backlog too")
      .publishPercentileHistogram()
      .maximumExpectedValue(Duration.ofMinutes(10))
      .register(registry);
  private final Counter windowsOut = registry.counter("tidewatch.output.records", "kind", "window");
  private final Counter alertsOut = registry.counter("tidewatch.output.records", "kind", "alert");

  IngestMetrics(Supplier<Number> inFlight, Supplier<Number> sent) {
    Gauge.builder("tidewatch.ingest.asks.in.flight", inFlight).description("Entities with an ask awaiting an answer").register(registry);
    Gauge.builder("tidewatch.ingest.asks.sent", sent)
        .description("Asks sent to entities and not answered yet (at most tidewatch.ingest.ask-parallelism)")
        .register(registry);
    // Every reason from the start, at 0: a rate over a series that appears with its first dead letter misses it.
    for (ParseResult.Category category : ParseResult.Category.values()) {
      registry.counter("tidewatch.dead.letters", "reason", category.label());
    }
    registry.counter("tidewatch.dead.letters", "reason", IngestBatch.PIPELINE_CATEGORY);
  }

  void batch(int records) {
    batchRecords.record(records);
  }

  /** A batch is journaled and published; {@code oldestTimestamp} is its oldest record's, MAX_VALUE if none had one. */
  void batchDone(long oldestTimestamp) {
    if (oldestTimestamp != Long.MAX_VALUE) {
      latency.record(Math.max(0, System.currentTimeMillis() - oldestTimestamp), TimeUnit.MILLISECONDS);
    }
  }

  void recorded(String type, int readings) {
    ingestedByType
        .computeIfAbsent(type, t -> registry.counter("tidewatch.readings.ingested", "type", t))
        .increment(readings);
  }

  void deadLetter(String category) {
    registry.counter("tidewatch.dead.letters", "reason", category).increment();
  }

  /** {@code tidewatch_readings_filtered_total{type,step}}: readings a pipeline's {@code filter} step dropped. */
  void filtered(String type, String step) {
    registry.counter("tidewatch.readings.filtered", "type", type, "step", step).increment();
  }

  void asked(String type, int readings, long startedNanos) {
    askReadings.record(readings);
    askByType
        .computeIfAbsent(type, t -> Timer.builder("tidewatch.ingest.ask")
            .description("Time from asking an entity to record readings to its acknowledgement")
            .tag("type", t)
            .publishPercentileHistogram()
            .maximumExpectedValue(Duration.ofSeconds(30))
            .register(registry))
        .record(System.nanoTime() - startedNanos, TimeUnit.NANOSECONDS);
  }

  void published(int windows, int alerts, long startedNanos) {
    outputs.record(System.nanoTime() - startedNanos, TimeUnit.NANOSECONDS);
    windowsOut.increment(windows);
    alertsOut.increment(alerts);
  }

  /** Copies the consumer's {@code records-lag} per partition into gauges (one per partition, made on first sight). */
  void consumerMetrics(Map<MetricName, Metric> metrics) {
    Set<String> seen = new HashSet<>();
    metrics.forEach((name, metric) -> {
      if (name.name().equals("records-lag") && name.tags().containsKey("partition")) {
        String key = name.tags().get("topic") + "/" + name.tags().get("partition");
        Object value = metric.metricValue();
        seen.add(key);
        if (value instanceof Number number) {
          if (lagByPartition.put(key, number.doubleValue()) == null) {
            Gauge.builder("tidewatch.kafka.consumer.lag", lagByPartition, m -> m.getOrDefault(key, Double.NaN))
                .description("Records behind the end of the partition")
                .tags("topic", name.tags().get("topic"), "partition", name.tags().get("partition"))
                .register(registry);
          }
        }
      }
    });
    // Partitions this node no longer consumes (a rebalance moved them) must not keep reporting their last lag.
    lagByPartition.replaceAll((key, lag) -> seen.contains(key) ? lag : Double.NaN);
  }

  /** Records behind the end of the partitions this node consumes, as last sampled (0 before the first sample). */
  long lag() {
    return (long) lagByPartition.values().stream().filter(lag -> !lag.isNaN()).mapToDouble(Double::doubleValue).sum();
  }
}
