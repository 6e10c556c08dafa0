package io.tidewatch.persistence.window;

import io.tidewatch.protocol.EntityProtocol.SourcedReading;
import io.tidewatch.protocol.EntityProtocol.WindowClosed;
import io.tidewatch.protocol.MetricAggregate;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The running aggregates of one window that has not closed yet: per metric, and a count per event name.
 *
 * <p>Kept compact because an entity holds several at once and there may be millions of entities: metrics are a
 * pair of small arrays (an entity has a handful), and the event counts exist only once an event was seen.
 */
public final class OpenWindow {

  private static final String[] NO_NAMES = {};
  private static final RunningStats[] NO_STATS = {};

  private final String spec;
  private long start;
  private long end;
  private long count;
  private String[] names = NO_NAMES;
  private RunningStats[] stats = NO_STATS;
  private Map<String, Long> events;

  public OpenWindow(String spec, long start, long end) {
    this.spec = spec;
    this.start = start;
    this.end = end;
  }

  public void add(SourcedReading reading) {
    count++;
    reading.metrics().forEach((metric, value) -> statsOf(metric).add(value));
    if (reading.event() != null) {
      countEvent(reading.event(), 1);
    }
  }

  /** Folds another window's aggregates into this one (sessions that a reading bridged). */
  public void absorb(OpenWindow other) {
    count += other.count;
    for (int i = 0; i < other.names.length; i++) {
      statsOf(other.names[i]).merge(other.stats[i]);
    }
    if (other.events != null) {
      other.events.forEach(this::countEvent);
    }
    span(Math.min(start, other.start), Math.max(end, other.end));
  }

  private RunningStats statsOf(String metric) {
    for (int i = 0; i < names.length; i++) {
      if (names[i].equals(metric)) {
        return stats[i];
      }
    }
    names = Arrays.copyOf(names, names.length + 1);
    stats = Arrays.copyOf(stats, stats.length + 1);
    names[names.length - 1] = metric.intern(); // millions of windows share a few metric names
    return stats[stats.length - 1] = new RunningStats();
  }

  private void countEvent(String event, long n) {
    if (events == null) {
      events = new HashMap<>(4);
    }
    events.merge(event, n, Long::sum);
  }

  /** Sets where a session window starts and ends. */
  void span(long start, long end) {
    this.start = start;
    this.end = end;
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

  /** An open window's exact running values, for snapshots. */
  public record Snapshot(
      String spec, long start, long end, long count, Map<String, RunningStats.Snapshot> metrics, Map<String, Long> events) {}

  public Snapshot snapshot() {
    Map<String, RunningStats.Snapshot> metrics = new HashMap<>();
    for (int i = 0; i < names.length; i++) {
      metrics.put(names[i], stats[i].snapshot());
    }
    return new Snapshot(spec, start, end, count, metrics, events == null ? Map.of() : Map.copyOf(events));
  }

  public static OpenWindow restore(Snapshot s) {
    OpenWindow w = new OpenWindow(s.spec(), s.start(), s.end());
    w.count = s.count();
    w.names = new String[s.metrics().size()];
    w.stats = new RunningStats[s.metrics().size()];
    int i = 0;
    for (Map.Entry<String, RunningStats.Snapshot> metric : s.metrics().entrySet()) {
      w.names[i] = metric.getKey().intern();
      w.stats[i++] = RunningStats.restore(metric.getValue());
    }
    s.events().forEach(w::countEvent);
    return w;
  }

  /** The event that closes this window, with its final aggregates. */
  public WindowClosed toClosed() {
    Map<String, MetricAggregate> aggregates = new HashMap<>();
    for (int i = 0; i < names.length; i++) {
      aggregates.put(names[i], stats[i].toAggregate());
    }
    return new WindowClosed(spec, start, end, count, aggregates, events == null ? Map.of() : events);
  }
}
