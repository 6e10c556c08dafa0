package io.tidewatch.persistence.state;

import io.tidewatch.persistence.anomaly.AnomalyHit;
import io.tidewatch.persistence.anomaly.MetricHistory;
import io.tidewatch.persistence.window.OpenWindow;
import io.tidewatch.persistence.window.SpecWindows;
import io.tidewatch.persistence.window.WindowSpec;
import io.tidewatch.protocol.AlertView;
import io.tidewatch.protocol.EntityProtocol.AnomalyDetected;
import io.tidewatch.protocol.EntityProtocol.DuplicatesIgnored;
import io.tidewatch.protocol.EntityProtocol.Event;
import io.tidewatch.protocol.EntityProtocol.IdleTimeAdvanced;
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
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The state of one entity and the one implementation of how each event changes it (DESIGN §3). The entity actor,
 * the audit replay (state as of a point) and the tests all fold events through {@link #apply}.
 *
 * <p>Mutable for speed (a backlog brings thousands of readings per event); it never leaves its owner: replies are
 * immutable views, snapshots are {@link EntitySnapshot} records, and the command side plans on a {@link #copy()}.
 */
public final class EntityState {

  private static final int RECENT_IN_VIEW_PER_SPEC = 10;

  final EntityTypeConfig config;
  final String entityId;
  long readings;
  long lateReadings;
  long duplicates;
  long anomalies;
  long maxEventTime = Long.MIN_VALUE;
  final PartitionOffsets offsets = new PartitionOffsets();
  /** Last value and count per metric name (names interned: millions of entities share them). */
  final Map<String, MetricSummary> metrics = new HashMap<>(4);
  /** Open windows per spec id, in configuration order. */
  final Map<String, SpecWindows> windows = new LinkedHashMap<>();
  /** Closed windows per spec, newest first, at most {@code recentWindowsPerSpec}. */
  final Map<String, Deque<WindowClosed>> recentWindows = new LinkedHashMap<>();
  /** Specs of which the state dropped closed windows to stay bounded (allocated when the first one is dropped). */
  Set<String> windowsForgotten = Set.of();
  /** Anomaly rule memory per metric, only for metrics that some rule watches. */
  final Map<String, MetricHistory> histories = new HashMap<>(4);
  final Deque<AnomalyDetected> recentAlerts = new ArrayDeque<>();
  boolean alertsForgotten;
  /** See {@link #initial}: applying an event to this state starts a new one instead of changing it. */
  private final boolean initial;

  public EntityState(EntityTypeConfig config, String entityId) {
    this(config, entityId, false);
  }

  /**
   * The state before any event, for an entity's {@code emptyState()}. Pekko asks for the empty state once per
   * entity and starts from that same object again when the entity restarts after a journal failure; were it
   * changed in place, the restarted entity would replay its journal on top of everything applied before —
   * including events whose write failed. So events applied to it go to a fresh state and it stays empty.
   */
  public static EntityState initial(EntityTypeConfig config, String entityId) {
    return new EntityState(config, entityId, true);
  }

  private EntityState(EntityTypeConfig config, String entityId, boolean initial) {
    this.config = config;
    this.entityId = entityId;
    this.initial = initial;
    for (WindowSpec spec : config.windows()) {
      windows.put(spec.id(), spec.newWindows());
      recentWindows.put(spec.id(), new ArrayDeque<>());
    }
  }

  /** Applies one journaled event. Deterministic: replaying the journal rebuilds exactly this state. */
  public EntityState apply(Event event) {
    if (initial) {
      return new EntityState(config, entityId).apply(event);
    }
    if (event instanceof ReadingsRecorded recorded) {
      recorded.readings().forEach(reading -> applyReading(recorded.topic(), reading));
    } else if (event instanceof WindowClosed closed) {
      close(closed);
    } else if (event instanceof AnomalyDetected alert) {
      anomalies++;
      recentAlerts.addFirst(alert);
      if (recentAlerts.size() > config.recentAlerts()) {
        recentAlerts.removeLast();
        alertsForgotten = true;
      }
    } else if (event instanceof DuplicatesIgnored ignored) {
      duplicates += ignored.count();
    } else if (event instanceof IdleTimeAdvanced idle) {
      maxEventTime = Math.max(maxEventTime, idle.eventTimeMs());
    } // EntityRegistered changes nothing the entity computes: it is there for the read side and for auditors
    return this;
  }

  /** True if a reading with these Kafka coordinates was already recorded (a redelivery). */
  public boolean isDuplicate(String topic, SourcedReading reading) {
    return reading.offset() <= offsets.get(topic, reading.partition());
  }

  /**
   * Watermark = max event time seen − allowed lateness; a window closes when the watermark reaches its end.
   * {@code Long.MIN_VALUE} until the first reading.
   */
  public long watermark() {
    return maxEventTime == Long.MIN_VALUE ? Long.MIN_VALUE : maxEventTime - config.allowedLatenessMs();
  }

  public long maxEventTime() {
    return maxEventTime;
  }

  public boolean hasOpenWindows() {
    return windows.values().stream().anyMatch(w -> !w.open().isEmpty());
  }

  /** Open windows the watermark has reached, oldest end first: the next {@link WindowClosed} events. */
  public List<WindowClosed> dueWindows() {
    long watermark = watermark();
    List<WindowClosed> due = new ArrayList<>();
    for (SpecWindows specWindows : windows.values()) {
      specWindows.collectDue(watermark, due);
    }
    if (due.size() > 1) {
      due.sort(Comparator.comparingLong(WindowClosed::end).thenComparing(WindowClosed::spec));
    }
    return due;
  }

  /** The anomaly rules this reading breaks, judged against what came before it. Changes nothing. */
  public List<AnomalyHit> detect(SourcedReading reading) {
    if (config.anomalies().rules().isEmpty()) {
      return List.of();
    }
    List<AnomalyHit> hits = List.of();
    for (Map.Entry<String, Double> metric : reading.metrics().entrySet()) {
      List<AnomalyHit> found =
          config.anomalies().check(metric.getKey(), metric.getValue(), histories.get(metric.getKey()));
      if (!found.isEmpty()) {
        if (hits.isEmpty()) {
          hits = new ArrayList<>(found.size());
        }
        hits.addAll(found);
      }
    }
    return hits;
  }

  /** How a recorded reading changes the state; {@link RecordPlan} folds readings through it one at a time. */
  void applyReading(String topic, SourcedReading reading) {
    offsets.advance(topic, reading.partition(), reading.offset());
    readings++;
    reading.metrics().forEach((metric, value) -> {
      MetricSummary summary = metrics.get(metric);
      if (summary == null) {
        metrics.put(metric.intern(), new MetricSummary(value, 1));
      } else {
        summary.last = value;
        summary.count++;
      }
      MetricHistory history = histories.get(metric);
      if (history == null && config.anomalies().rules().stream().anyMatch(r -> r.appliesTo(metric))) {
        history = new MetricHistory(config.anomalies().historyFor(metric));
        histories.put(metric.intern(), history);
      }
      if (history != null) {
        history.record(value);
      }
    });
    long watermark = watermark();
    boolean late = false;
    for (SpecWindows specWindows : windows.values()) {
      late |= specWindows.add(reading, watermark);
    }
    if (late) {
      lateReadings++;
    }
    maxEventTime = Math.max(maxEventTime, reading.ts());
  }

  private void close(WindowClosed closed) {
    SpecWindows specWindows = windows.get(closed.spec());
    if (specWindows != null) {
      specWindows.remove(closed);
    }
    Deque<WindowClosed> kept = recentWindows.computeIfAbsent(closed.spec(), s -> new ArrayDeque<>());
    kept.addFirst(closed);
    if (kept.size() > config.recentWindowsPerSpec()) {
      kept.removeLast();
      if (!windowsForgotten.contains(closed.spec())) {
        Set<String> forgotten = new HashSet<>(windowsForgotten);
        forgotten.add(closed.spec());
        windowsForgotten = forgotten;
      }
    }
  }

  /** A deep copy, for planning the events of a command without touching the live state (once per command). */
  public EntityState copy() {
    EntityState copy = new EntityState(config, entityId);
    copy.readings = readings;
    copy.lateReadings = lateReadings;
    copy.duplicates = duplicates;
    copy.anomalies = anomalies;
    copy.maxEventTime = maxEventTime;
    copy.offsets.putAll(offsets);
    metrics.forEach((metric, summary) -> copy.metrics.put(metric, new MetricSummary(summary.last, summary.count)));
    windows.forEach((spec, open) -> copy.windows.put(spec, open.copy()));
    recentWindows.forEach((spec, kept) -> copy.recentWindows.put(spec, new ArrayDeque<>(kept)));
    copy.windowsForgotten = windowsForgotten; // replaced, never mutated, when it changes
    histories.forEach((metric, history) -> copy.histories.put(metric, history.copy()));
    copy.recentAlerts.addAll(recentAlerts);
    copy.alertsForgotten = alertsForgotten;
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

  public long anomalies() {
    return anomalies;
  }

  /** Closed windows this state still keeps, newest first per spec. */
  public List<WindowClosed> recentWindows() {
    List<WindowClosed> all = new ArrayList<>();
    recentWindows.values().forEach(all::addAll);
    return all;
  }


  /**
   * Kept closed windows matching the filters (null matches all; {@code from}/{@code to} bound the window start),
   * newest end first, at most {@code limit} views.
   */
  public List<WindowView> closedWindows(String spec, String metric, Long from, Long to, int limit) {
    List<WindowView> views = new ArrayList<>();
    recentWindows.forEach((specId, kept) -> {
      if (spec != null && !spec.equals(specId)) {
        return;
      }
      for (WindowClosed w : kept) {
        if ((from == null || w.start() >= from) && (to == null || w.start() < to)) {
          for (WindowView view : views(w)) {
            if (metric == null || metric.equals(view.metric())) {
              views.add(view);
            }
          }
        }
      }
    });
    views.sort(Comparator.comparingLong(WindowView::end).reversed().thenComparing(WindowView::spec));
    return views.size() > limit ? views.subList(0, limit) : views;
  }

  /** True if the state dropped closed windows of {@code spec} (or of any spec when null). */
  public boolean windowsForgotten(String spec) {
    return spec == null ? !windowsForgotten.isEmpty() : windowsForgotten.contains(spec);
  }

  /** Kept alerts with event time in [from, to), newest first, at most {@code limit}. */
  public List<AlertView> alerts(Long from, Long to, int limit) {
    List<AlertView> views = new ArrayList<>();
    for (AnomalyDetected a : recentAlerts) {
      if ((from == null || a.ts() >= from) && (to == null || a.ts() < to)) {
        views.add(AlertView.of(config.type(), entityId, a));
        if (views.size() == limit) {
          break;
        }
      }
    }
    return views;
  }

  public boolean alertsForgotten() {
    return alertsForgotten;
  }

  public EntityStateView toView(long lastSeqNr) {
    List<WindowView> openViews = new ArrayList<>();
    windows.values().forEach(w -> w.open().forEach(open -> openViews.addAll(views(open.toClosed()))));
    List<WindowView> recentViews = new ArrayList<>();
    recentWindows.values().forEach(kept -> {
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
        lastValues(),
        metricCounts(),
        openViews,
        recentViews);
  }

  Map<String, Double> lastValues() {
    Map<String, Double> values = new HashMap<>();
    metrics.forEach((metric, summary) -> values.put(metric, summary.last));
    return values;
  }

  Map<String, Long> metricCounts() {
    Map<String, Long> counts = new HashMap<>();
    metrics.forEach((metric, summary) -> counts.put(metric, summary.count));
    return counts;
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

  /** For snapshots: the open windows of every spec. */
  List<OpenWindow> openWindows() {
    List<OpenWindow> open = new ArrayList<>();
    windows.values().forEach(w -> open.addAll(w.open()));
    return open;
  }
}
