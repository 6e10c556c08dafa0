package io.tidewatch.persistence.window;

import io.tidewatch.protocol.EntityProtocol.SourcedReading;
import io.tidewatch.protocol.EntityProtocol.WindowClosed;
import io.tidewatch.protocol.MetricAggregate;
import java.util.HashMap;
import java.util.Map;

/** The running aggregates of one window that has not closed yet: per metric, and a count per event name. */
public final class OpenWindow {

  private final String spec;
  private long start;
  private long end;
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

  /** Folds another window's aggregates into this one (sessions that a reading bridged). */
  public void absorb(OpenWindow other) {
    count += other.count;
    other.metrics.forEach((metric, stats) ->
        metrics.merge(metric, stats.copy(), (mine, theirs) -> {
          mine.merge(theirs);
          return mine;
        }));
    other.events.forEach((event, n) -> events.merge(event, n, Long::sum));
    span(Math.min(start, other.start), Math.max(end, other.end));
  }

  /** Sets where a session window starts and ends. */
  void span(long start, long end) {
    this.start = start;
    this.end = end;
  }

  public long count() {
    return count;
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
    Map<String, RunningStats.Snapshot> stats = new HashMap<>();
    metrics.forEach((metric, s) -> stats.put(metric, s.snapshot()));
    return new Snapshot(spec, start, end, count, stats, Map.copyOf(events));
  }

  public static OpenWindow restore(Snapshot s) {
    OpenWindow w = new OpenWindow(s.spec(), s.start(), s.end());
    w.count = s.count();
    s.metrics().forEach((metric, stats) -> w.metrics.put(metric, RunningStats.restore(stats)));
    w.events.putAll(s.events());
    return w;
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
