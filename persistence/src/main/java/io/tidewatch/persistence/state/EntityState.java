package io.tidewatch.persistence.state;

import io.tidewatch.persistence.window.OpenWindow;
import io.tidewatch.persistence.window.WindowSpec;
import io.tidewatch.protocol.EntityProtocol.DuplicatesIgnored;
import io.tidewatch.protocol.EntityProtocol.Event;
import io.tidewatch.protocol.EntityProtocol.ReadingsRecorded;
import io.tidewatch.protocol.EntityProtocol.SourcedReading;
import io.tidewatch.protocol.EntityProtocol.WindowClosed;
import io.tidewatch.protocol.EntityStateView;
import io.tidewatch.protocol.MetricAggregate;
import io.tidewatch.protocol.WindowView;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The state of one entity and the one implementation of how each event changes it (DESIGN §3). The entity actor,
 * the audit replay (state as of a point) and the tests all fold events through {@link #apply}.
 *
 * <p>Mutable for speed (a backlog brings thousands of readings per event); it never leaves its owner: replies are
 * {@link EntityStateView} copies, and the command side plans on a {@link #copy()}.
 */
public final class EntityState {

  private static final int RECENT_IN_VIEW_PER_SPEC = 10;

  private final EntityTypeConfig config;
  private final String entityId;
  private long readings;
  private long lateReadings;
  private long duplicates;
  private long anomalies;
  private long maxEventTime = Long.MIN_VALUE;
  private final Map<Integer, Long> offsets = new HashMap<>();
  private final Map<String, Double> lastValues = new HashMap<>();
  private final Map<String, Long> metricCounts = new HashMap<>();
  /** Open windows by spec id and start; a handful per spec at any time. */
  private final Map<String, TreeMap<Long, OpenWindow>> open = new LinkedHashMap<>();
  /** Closed windows per spec, newest first, at most {@code recentWindowsPerSpec}. */
  private final Map<String, Deque<WindowClosed>> recent = new LinkedHashMap<>();

  public EntityState(EntityTypeConfig config, String entityId) {
    this.config = config;
    this.entityId = entityId;
    for (WindowSpec spec : config.windows()) {
      open.put(spec.id(), new TreeMap<>());
      recent.put(spec.id(), new ArrayDeque<>());
    }
  }

  /** Applies one journaled event. Deterministic: replaying the journal rebuilds exactly this state. */
  public EntityState apply(Event event) {
    if (event instanceof ReadingsRecorded recorded) {
      recorded.readings().forEach(this::applyReading);
    } else if (event instanceof WindowClosed closed) {
      close(closed);
    } else if (event instanceof DuplicatesIgnored ignored) {
      duplicates += ignored.count();
    }
    return this;
  }

  /** True if a reading with these Kafka coordinates was already recorded (a redelivery). */
  public boolean isDuplicate(SourcedReading reading) {
    Long last = offsets.get(reading.partition());
    return last != null && reading.offset() <= last;
  }

  /**
   * Watermark = max event time seen − allowed lateness; a window closes when the watermark reaches its end.
   * {@code Long.MIN_VALUE} until the first reading.
   */
  public long watermark() {
    return maxEventTime == Long.MIN_VALUE ? Long.MIN_VALUE : maxEventTime - config.allowedLatenessMs();
  }

  /** Open windows the watermark has reached, oldest end first: the next {@link WindowClosed} events. */
  public List<WindowClosed> dueWindows() {
    long watermark = watermark();
    List<WindowClosed> due = new ArrayList<>();
    for (TreeMap<Long, OpenWindow> windows : open.values()) {
      for (OpenWindow w : windows.values()) {
        if (w.end() > watermark) {
          break; // ordered by start, and within one spec by end too
        }
        due.add(w.toClosed());
      }
    }
    due.sort(Comparator.comparingLong(WindowClosed::end).thenComparing(WindowClosed::spec));
    return due;
  }

  private void applyReading(SourcedReading reading) {
    offsets.merge(reading.partition(), reading.offset(), Math::max);
    readings++;
    reading.metrics().forEach((metric, value) -> {
      lastValues.put(metric, value);
      metricCounts.merge(metric, 1L, Long::sum);
    });
    long watermark = watermark();
    boolean late = false;
    for (WindowSpec spec : config.windows()) {
      TreeMap<Long, OpenWindow> windows = open.get(spec.id());
      for (long start = spec.firstStart(reading.ts()); start <= reading.ts(); start += spec.slideMs()) {
        long end = spec.end(start);
        if (end <= watermark) {
          late = true; // that window has closed: the reading changes it no more
        } else {
          final long s = start;
          windows.computeIfAbsent(start, k -> new OpenWindow(spec.id(), s, end)).add(reading);
        }
      }
    }
    if (late) {
      lateReadings++;
    }
    maxEventTime = Math.max(maxEventTime, reading.ts());
  }

  private void close(WindowClosed closed) {
    TreeMap<Long, OpenWindow> windows = open.get(closed.spec());
    if (windows != null) {
      windows.remove(closed.start());
    }
    Deque<WindowClosed> kept = recent.computeIfAbsent(closed.spec(), s -> new ArrayDeque<>());
    kept.addFirst(closed);
    while (kept.size() > config.recentWindowsPerSpec()) {
      kept.removeLast();
    }
  }

  /** A deep copy, for planning the events of a command without touching the live state. */
  public EntityState copy() {
    EntityState copy = new EntityState(config, entityId);
    copy.readings = readings;
    copy.lateReadings = lateReadings;
    copy.duplicates = duplicates;
    copy.anomalies = anomalies;
    copy.maxEventTime = maxEventTime;
    copy.offsets.putAll(offsets);
    copy.lastValues.putAll(lastValues);
    copy.metricCounts.putAll(metricCounts);
    open.forEach((spec, windows) -> {
      TreeMap<Long, OpenWindow> copied = copy.open.computeIfAbsent(spec, s -> new TreeMap<>());
      windows.forEach((start, w) -> copied.put(start, w.copy()));
    });
    recent.forEach((spec, kept) -> copy.recent.put(spec, new ArrayDeque<>(kept)));
    return copy;
  }

  public long readings() {
    return readings;
  }

  public long lateReadings() {
    return lateReadings;
  }

  public long duplicates() {
    return duplicates;
  }

  /** Closed windows this state still keeps, newest first per spec. */
  public List<WindowClosed> recentWindows() {
    List<WindowClosed> all = new ArrayList<>();
    recent.values().forEach(all::addAll);
    return all;
  }

  public EntityStateView toView(long lastSeqNr) {
    List<WindowView> openViews = new ArrayList<>();
    open.values().forEach(windows -> windows.values().forEach(w -> openViews.addAll(views(w.toClosed()))));
    List<WindowView> recentViews = new ArrayList<>();
    recent.values().forEach(kept -> {
      Iterator<WindowClosed> newest = kept.iterator();
      for (int i = 0; i < RECENT_IN_VIEW_PER_SPEC && newest.hasNext(); i++) {
        recentViews.addAll(views(newest.next()));
      }
    });
    return new EntityStateView(
        config.type(),
        entityId,
        readings,
        lateReadings,
        duplicates,
        anomalies,
        watermark(),
        lastSeqNr,
        lastValues,
        metricCounts,
        openViews,
        recentViews);
  }

  /** One view per metric of a window; a window of events only (no metrics) shows as one view with no metric. */
  public static List<WindowView> views(WindowClosed w) {
    if (w.metrics().isEmpty()) {
      return List.of(new WindowView(w.spec(), null, w.start(), w.end(), w.count(), 0, 0, 0, 0, 0, w.events()));
    }
    List<WindowView> views = new ArrayList<>(w.metrics().size());
    w.metrics().forEach((metric, a) -> views.add(view(w, metric, a)));
    return views;
  }

  private static WindowView view(WindowClosed w, String metric, MetricAggregate a) {
    return new WindowView(
        w.spec(), metric, w.start(), w.end(), a.count(), a.sum(), a.min(), a.max(), a.mean(), a.stddev(), w.events());
  }
}
