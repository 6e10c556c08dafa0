package io.tidewatch.persistence.window;

import io.tidewatch.protocol.EntityProtocol.SourcedReading;
import io.tidewatch.protocol.EntityProtocol.WindowClosed;
import io.tidewatch.protocol.MetricAggregate;
import java.util.HashMap;
import java.util.Map;

/** The running aggregates of one window that has not closed yet: per metric, and a count per event name. */
public final class OpenWindow {

  private final String spec;
  private final long start;
  private final long end;
  private long count;
  private final Map<String, RunningStats> metrics = new HashMap<>();
  private final Map<String, Long> events = new HashMap<>();

  public OpenWindow(String spec, long start, long end) {
    this.spec = spec;
    this.start = start;
    this.end = end;
  }

  public void add(SourcedReading reading) {
    count++;
    reading.metrics().forEach((metric, value) -> metrics.computeIfAbsent(metric, m -> new RunningStats()).add(value));
    if (reading.event() != null) {
      events.merge(reading.event(), 1L, Long::sum);
    }
  }

  public String spec() {
    return spec;
  }

  public long start() {
    return start;
  }

  public long end() {
    return end;
  }

  public OpenWindow copy() {
    OpenWindow copy = new OpenWindow(spec, start, end);
    copy.count = count;
    metrics.forEach((metric, stats) -> copy.metrics.put(metric, stats.copy()));
    copy.events.putAll(events);
    return copy;
  }

  /** The event that closes this window, with its final aggregates. */
  public WindowClosed toClosed() {
    Map<String, MetricAggregate> aggregates = new HashMap<>();
    metrics.forEach((metric, stats) -> aggregates.put(metric, stats.toAggregate()));
    return new WindowClosed(spec, start, end, count, aggregates, events);
  }
}
