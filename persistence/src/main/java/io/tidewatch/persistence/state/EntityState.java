package io.tidewatch.persistence.state;

import io.tidewatch.persistence.anomaly.AnomalyHit;
import io.tidewatch.persistence.anomaly.AnomalyRule;
import io.tidewatch.persistence.anomaly.AnomalyRules;
import io.tidewatch.persistence.anomaly.IncidentPolicy;
import io.tidewatch.persistence.anomaly.MetricHistory;
import io.tidewatch.persistence.anomaly.RcfForests;
import io.tidewatch.persistence.pipeline.Pipeline;
import io.tidewatch.persistence.window.OpenWindow;
import io.tidewatch.persistence.window.SpecWindows;
import io.tidewatch.persistence.window.WindowSpec;
import io.tidewatch.protocol.EntityProtocol;
import io.tidewatch.protocol.EntityProtocol.AnomalyDetected;
import io.tidewatch.protocol.EntityProtocol.CommandJournaled;
import io.tidewatch.protocol.EntityProtocol.DuplicatesIgnored;
import io.tidewatch.protocol.EntityProtocol.EntityExpired;
import io.tidewatch.protocol.EntityProtocol.EntityRegistered;
import io.tidewatch.protocol.EntityProtocol.Event;
import io.tidewatch.protocol.EntityProtocol.IdleOutputsPublished;
import io.tidewatch.protocol.EntityProtocol.IdleTimeAdvanced;
import io.tidewatch.protocol.EntityProtocol.IncidentChanged;
import io.tidewatch.protocol.EntityProtocol.IncidentState;
import io.tidewatch.protocol.EntityProtocol.Outputs;
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

/**
 * The state of one entity and the one implementation of how each event changes it (DESIGN §3). The entity actor,
 * the audit replay (state as of a point) and the tests all fold events through {@link #apply}.
 *
 * <p>Mutable for speed (a backlog brings thousands of readings per event); it never leaves its owner: replies are
 * immutable views and snapshots are {@link EntitySnapshot} records. A command folds its readings into it once, in
 * place ({@link RecordPlan}); the events it journals make the same change again only on recovery and replay.
 */
public final class EntityState {

  private static final int RECENT_IN_VIEW_PER_SPEC = 10;
  /** Late readings kept to show where they fell (the count keeps them all). */
  static final int RECENT_LATE = 20;
  /** {@link #expiredAt} of a state that did not expire, or heard a reading since. */
  static final long NOT_EXPIRED = Long.MIN_VALUE;

  final EntityTypeConfig config;
  /** The versions of the type's live configuration: a reading is judged by the rules of the version it names. */
  final TypeVersions versions;
  /** The version whose rules the state judges by, and those rules. */
  int configVersion = EntityProtocol.FIRST_CONFIG_VERSION;
  AnomalyRules rules;
  final String entityId;
  long readings;
  long lateReadings;
  long duplicates;
  long anomalies;
  long maxEventTime = Long.MIN_VALUE;
  // The maps below are shared unmodifiable empties in the initial state, which Pekko keeps for the entity's whole
  // life (its offsets and alert deque are small empty ones of its own): a live entity holds one set of them, not two.
  final PartitionOffsets offsets = new PartitionOffsets();
  /** Last value and count per metric name (names interned: millions of entities share them). */
  final Map<String, MetricSummary> metrics;
  /** Open windows per spec id, in configuration order. */
  final Map<String, SpecWindows> windows;
  /** Closed windows per spec, newest first, at most {@code recentWindowsPerSpec}, with the reading that closed each. */
  final Map<String, Deque<Caused<WindowClosed>>> recentWindows;
  /** Anomaly rule memory per metric, only for metrics that some rule watches. */
  final Map<String, MetricHistory> histories;
  /** Alerts, newest first, at most {@code recentAlerts}, with the reading that raised each. */
  final Deque<Caused<AnomalyDetected>> recentAlerts;
  /** The latest late readings, newest first, at most {@link #RECENT_LATE}; null until the first (most have none). */
  Deque<SourcedReading> recentLate;
  /**
   * The forests of the type's rcf rules, which each reading changes ({@link #applyReading}); null for types without
   * one, and until the first reading (the initial state holds none).
   */
  RcfForests forests;
  /** Incidents not resolved, in the order they opened; null until the first. */
  List<OpenIncident> incidents;
  /**
   * Incident transitions, newest first, at most {@code recentAlerts}, with the reading behind each: a redelivery
   * sends them again, as it does alerts. Null until the first.
   */
  Deque<Caused<IncidentChanged>> recentIncidents;
  /** Where the last applied reading came from: outputs journaled after it are its outputs. */
  int lastPartition = Caused.NO_READING;
  long lastOffset = -1;
  /** The entity's first event, with its first reading: a redelivery of that reading lists the entity again. */
  Caused<EntityRegistered> registration;
  /** Windows the idle timer closed that are not yet marked published ({@link IdleOutputsPublished}), oldest first. */
  List<WindowClosed> idleUnpublished = List.of();
  /** Likewise the alerts and incident transitions silence raised ({@link IncidentPolicy#SILENT}). */
  List<AnomalyDetected> idleAlerts = List.of();
  List<IncidentChanged> idleIncidents = List.of();
  /**
   * Entries journaled beyond one per row: each {@link CommandJournaled} of n entries adds n − 1. An entry's number
   * (what alert ids name) is its row's sequence number plus this as of before the row.
   */
  long extraEntries;
  /** When the state expired ({@link EntityExpired}), until the next reading; {@link #NOT_EXPIRED} otherwise. */
  long expiredAt = NOT_EXPIRED;
  /** Processing time of the last command that recorded readings ({@link ReadingsRecorded#recordedAt}); 0: unknown. */
  long lastRecordedAt;
  /** See {@link #initial}: applying an event to this state starts a new one instead of changing it. */
  private final boolean initial;

  /** A state whose type has the configuration file's version alone (tests, benches). */
  public EntityState(EntityTypeConfig config, String entityId) {
    this(TypeVersions.of(config), entityId, false);
  }

  public EntityState(TypeVersions versions, String entityId) {
    this(versions, entityId, false);
  }

  /**
   * The state before any event, for an entity's {@code emptyState()}. Pekko asks for the empty state once per
   * entity and starts from that same object again when the entity restarts after a journal failure; were it
   * changed in place, the restarted entity would replay its journal on top of everything applied before —
   * including events whose write failed. So events applied to it go to a fresh state and it stays empty.
   */
  public static EntityState initial(EntityTypeConfig config, String entityId) {
    return initial(TypeVersions.of(config), entityId);
  }

  public static EntityState initial(TypeVersions versions, String entityId) {
    return new EntityState(versions, entityId, true);
  }

  private EntityState(TypeVersions versions, String entityId, boolean initial) {
    this.config = versions.config();
    this.versions = versions;
    TypeVersions.Live first = versions.get(configVersion);
    this.rules = first != null ? first.rules() : config.anomalies();
    this.entityId = entityId;
    this.initial = initial;
    if (initial) {
      metrics = Map.of();
      windows = Map.of();
      recentWindows = Map.of();
      histories = Map.of();
      recentAlerts = new ArrayDeque<>(0);
      return;
    }
    metrics = new HashMap<>(4);
    windows = new LinkedHashMap<>();
    recentWindows = new LinkedHashMap<>();
    histories = new HashMap<>(4);
    recentAlerts = new ArrayDeque<>();
    for (WindowSpec spec : config.windows()) {
      windows.put(spec.id(), spec.newWindows());
      recentWindows.put(spec.id(), new ArrayDeque<>());
    }
  }

  /**
   * The state a command may fold into: this one, or a new one if this is the {@link #initial} state, which must
   * stay unchanged.
   */
  EntityState writable() {
    return initial ? new EntityState(versions, entityId) : this;
  }

  /** Applies one journaled event. Deterministic: replaying the journal rebuilds exactly this state. */
  public EntityState apply(Event event) {
    if (initial) {
      return new EntityState(versions, entityId).apply(event);
    }
    if (event instanceof CommandJournaled command) {
      command.entries().forEach(this::apply);
      journaledAsOne(command.entries().size());
    } else if (event instanceof ReadingsRecorded recorded) {
      judgeBy(recorded.configVersion());
      recorded.readings().forEach(reading -> applyReading(recorded.topic(), reading));
      if (recorded.recordedAt() != 0) {
        lastRecordedAt = recorded.recordedAt();
      }
    } else if (event instanceof WindowClosed closed) {
      close(closed);
    } else if (event instanceof AnomalyDetected alert) {
      anomalies++;
      boolean silence = IncidentPolicy.SILENT.equals(alert.rule()); // caused by no reading: the entity publishes it
      recentAlerts.addFirst(silence ? new Caused<>(alert, Caused.NO_READING, -1) : new Caused<>(alert, lastPartition, lastOffset));
      if (silence) {
        idleAlerts = appended(idleAlerts, alert);
      }
      if (recentAlerts.size() > config.recentAlerts()) {
        recentAlerts.removeLast();
      }
    } else if (event instanceof IncidentChanged incident) {
      applyIncident(incident);
    } else if (event instanceof DuplicatesIgnored ignored) {
      duplicates += ignored.count();
    } else if (event instanceof IdleTimeAdvanced idle) {
      maxEventTime = Math.max(maxEventTime, idle.eventTimeMs());
      lastPartition = Caused.NO_READING; // the windows it closes are nobody's reply: the entity publishes them
      lastOffset = -1;
    } else if (event instanceof IdleOutputsPublished published) {
      idleUnpublished = dropFirst(idleUnpublished, published.count());
      idleAlerts = dropFirst(idleAlerts, published.alerts());
      idleIncidents = dropFirst(idleIncidents, published.incidents());
    } else if (event instanceof EntityRegistered registered) {
      registration = new Caused<>(registered, Caused.NO_READING, -1); // caused by the reading that follows it
    } else if (event instanceof EntityExpired expired) {
      expire(expired);
    }
    return this;
  }

  /**
   * The type's state-ttl passed in silence: what the rules compare new readings with goes (histories, forests, last
   * values), so the next reading starts fresh baselines; counters, per-metric counts, watermark, offsets, incidents
   * and kept outputs stay: they are history, not baselines. A forest comes back on the next reading as a new one
   * ({@link #learn}), seeded as the first was.
   */
  private void expire(EntityExpired expired) {
    histories.clear();
    forests = null;
    metrics.values().forEach(summary -> summary.last = Double.NaN); // NaN: no last value, the count stays
    expiredAt = expired.at();
  }

  /** True if the state expired and has heard no reading since. */
  public boolean expired() {
    return expiredAt != NOT_EXPIRED;
  }

  /** When the state expired (epoch milliseconds), if {@link #expired}. */
  public long expiredAt() {
    return expiredAt;
  }

  /** Processing time of the last command that recorded readings (epoch milliseconds); 0 if its journal predates it. */
  public long lastRecordedAt() {
    return lastRecordedAt;
  }

  private void applyIncident(IncidentChanged change) {
    switch (change.transition()) {
      case OPENED -> {
        if (incidents == null) {
          incidents = new ArrayList<>(2);
        }
        incidents.add(OpenIncident.of(change));
      }
      case ESCALATED -> {
        OpenIncident open = openIncident(change.incidentId());
        if (open != null) {
          open.severity = change.severity();
        }
      }
      case RESOLVED -> {
        if (incidents != null) {
          incidents.removeIf(open -> open.id.equals(change.incidentId()));
        }
      }
    }
    if (recentIncidents == null) {
      recentIncidents = new ArrayDeque<>(4);
    }
    boolean silence = IncidentPolicy.SILENT.equals(change.rule()) && change.transition() == IncidentState.OPENED;
    recentIncidents.addFirst(
        silence ? new Caused<>(change, Caused.NO_READING, -1) : new Caused<>(change, lastPartition, lastOffset));
    if (silence) {
      idleIncidents = appended(idleIncidents, change);
    }
    if (recentIncidents.size() > config.recentAlerts()) {
      recentIncidents.removeLast();
    }
  }

  private static <T> List<T> appended(List<T> list, T item) {
    List<T> longer = list.isEmpty() ? new ArrayList<>(2) : list;
    longer.add(item);
    return longer;
  }

  private static <T> List<T> dropFirst(List<T> list, int count) {
    return count >= list.size() ? List.of() : new ArrayList<>(list.subList(count, list.size()));
  }

  /** The open incident of silence ({@link IncidentPolicy#SILENT}), or null. */
  OpenIncident openSilence() {
    return openIncident(IncidentPolicy.SILENT, IncidentPolicy.ALL_METRICS);
  }

  /** True if the entity's silence raised an incident that no reading has resolved yet. */
  public boolean silenceRaised() {
    return openSilence() != null;
  }

  private OpenIncident openIncident(String incidentId) {
    if (incidents != null) {
      for (OpenIncident open : incidents) {
        if (open.id.equals(incidentId)) {
          return open;
        }
      }
    }
    return null;
  }

  /** The open incident of {@code rule} on {@code metric}, or null. */
  OpenIncident openIncident(String rule, String metric) {
    if (incidents != null) {
      for (OpenIncident open : incidents) {
        if (open.is(rule, metric)) {
          return open;
        }
      }
    }
    return null;
  }

  /**
   * Adds to {@code resolved} the open incidents whose metric has stayed inside the recovery band for the keep-firing
   * time by event time {@code ts}. Changes nothing.
   */
  void collectResolved(long ts, List<OpenIncident> resolved) {
    if (incidents != null) {
      for (OpenIncident open : incidents) {
        if (open.quietSince != OpenIncident.NOT_QUIET
            && ts - open.quietSince >= rules.incidents().keepFiringMs()) {
          resolved.add(open);
        }
      }
    }
  }

  /** Whether the reading keeps each open incident of its metrics outside the recovery band, or inside it since when. */
  private void trackRecovery(SourcedReading reading) {
    for (OpenIncident open : incidents) {
      Double value = reading.metrics().get(open.metric);
      if (value == null) {
        continue;
      }
      double ratio = forests != null && AnomalyRule.Rcf.NAME.equals(open.rule)
          ? forests.ratio(open.metric) // the score this reading took before it joined the forests
          : AnomalyRule.Onnx.NAME.equals(open.rule)
              ? rules.scoreRatio(open.metric, reading.metrics()) // scored again: only while open
              : rules.ratio(open.rule, open.metric, value, histories.get(open.metric));
      if (Double.isNaN(ratio)) {
        if (!IncidentPolicy.SILENT.equals(open.rule) && !rules.has(open.rule, open.metric)) {
          ratio = 0; // the rule is gone from the configuration: nothing keeps its incident open
        } else {
          continue; // nothing to judge by yet
        }
      }
      if (ratio > rules.incidents().recovery()) {
        open.quietSince = OpenIncident.NOT_QUIET;
      } else if (open.quietSince == OpenIncident.NOT_QUIET) {
        open.quietSince = reading.ts();
      }
    }
  }

  /** {@code entries} went to the journal as one row. */
  void journaledAsOne(int entries) {
    extraEntries += entries - 1;
  }

  /** The entry number of the entity's last entry, its journal being at sequence number {@code lastSeqNr}. */
  long entriesAt(long lastSeqNr) {
    return lastSeqNr + extraEntries;
  }

  /**
   * The outputs that the already-recorded ones among {@code readings} produced, as far as the state keeps them
   * ({@code recentWindowsPerSpec} windows per spec, {@code recentAlerts} alerts, the registration), oldest first: a
   * redelivered batch answers with them, so that outputs lost in a crash before they were published go out on the
   * redelivery.
   */
  public Outputs outputsOf(String topic, List<SourcedReading> readings) {
    Map<Integer, long[]> redelivered = null; // partition -> lowest and highest redelivered offset
    for (SourcedReading reading : readings) {
      if (isDuplicate(topic, reading)) {
        if (redelivered == null) {
          redelivered = new HashMap<>(2);
        }
        long[] range = redelivered.computeIfAbsent(reading.partition(), p -> new long[] {Long.MAX_VALUE, -1});
        range[0] = Math.min(range[0], reading.offset());
        range[1] = Math.max(range[1], reading.offset());
      }
    }
    if (redelivered == null) {
      return Outputs.NONE;
    }
    List<WindowClosed> windows = new ArrayList<>();
    for (Deque<Caused<WindowClosed>> kept : recentWindows.values()) {
      for (Iterator<Caused<WindowClosed>> oldest = kept.descendingIterator(); oldest.hasNext(); ) {
        Caused<WindowClosed> w = oldest.next();
        if (causedBy(w, redelivered)) {
          windows.add(w.output());
        }
      }
    }
    windows.sort(Comparator.comparingLong(WindowClosed::end).thenComparing(WindowClosed::spec));
    List<AnomalyDetected> alerts = new ArrayList<>();
    for (Iterator<Caused<AnomalyDetected>> oldest = recentAlerts.descendingIterator(); oldest.hasNext(); ) {
      Caused<AnomalyDetected> a = oldest.next();
      if (causedBy(a, redelivered)) {
        alerts.add(a.output());
      }
    }
    List<IncidentChanged> incidentTransitions = new ArrayList<>();
    if (recentIncidents != null) {
      for (Iterator<Caused<IncidentChanged>> oldest = recentIncidents.descendingIterator(); oldest.hasNext(); ) {
        Caused<IncidentChanged> transition = oldest.next();
        if (causedBy(transition, redelivered)) {
          incidentTransitions.add(transition.output());
        }
      }
    }
    boolean registered = registration != null && causedBy(registration, redelivered);
    return new Outputs(windows, alerts, incidentTransitions, registered ? registration.output() : null);
  }

  private static boolean causedBy(Caused<?> output, Map<Integer, long[]> redelivered) {
    long[] range = redelivered.get(output.partition());
    return range != null && output.causedWithin(output.partition(), range[0], range[1]);
  }

  /** Windows the idle timer closed that no one has published yet, oldest first: the entity publishes them itself. */
  public List<WindowClosed> idleUnpublished() {
    return idleUnpublished;
  }

  /**
   * What the entity journaled without an ask to carry it and has not published yet, oldest first: the windows its
   * idle timer closed, the alert and incident its silence raised. The entity publishes them itself.
   */
  public Outputs idleOutputs() {
    return new Outputs(idleUnpublished, idleAlerts, idleIncidents, null);
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
    return maxEventTime == Long.MIN_VALUE ? Long.MIN_VALUE : watermarkAt(maxEventTime);
  }

  public long maxEventTime() {
    return maxEventTime;
  }

  public boolean hasOpenWindows() {
    return windows.values().stream().anyMatch(w -> !w.open().isEmpty());
  }

  /** What the watermark would be had the entity seen event time {@code maxEventTime}. */
  long watermarkAt(long maxEventTime) {
    return maxEventTime - config.allowedLatenessMs();
  }

  /** Adds to {@code due} the open windows {@code watermark} has reached, oldest end first: the next closes. */
  void collectDue(long watermark, List<WindowClosed> due) {
    for (SpecWindows specWindows : windows.values()) {
      specWindows.collectDue(watermark, due);
    }
    if (due.size() > 1) {
      due.sort(Comparator.comparingLong(WindowClosed::end).thenComparing(WindowClosed::spec));
    }
  }

  /**
   * From here on, readings are judged by the rules of version {@code number} of the type's live configuration. What
   * the old rules remembered and the new ones judge alike stays: a metric's history stays if the new rules still
   * remember it with the same depth and the new pipeline makes its values the same way (else it starts again), the
   * forests stay if the rcf rules and the making of their metrics are the same. An open
   * incident of a rule the new version no longer has recovers as its readings come ({@link #trackRecovery}).
   * Deterministic: the same versions in the same order make the same state, live and on replay.
   *
   * @throws IllegalStateException if this node does not know the version (the entity waits for it first)
   */
  void judgeBy(int number) {
    TypeVersions.Live next = versions.get(number);
    if (next == null) {
      throw new IllegalStateException(
          "version " + number + " of the configuration of type " + config.type() + " is not known on this node");
    }
    if (number == configVersion && next.rules() == rules) { // by identity: the file's stand-in may have given way
      return;
    }
    AnomalyRules before = rules;
    TypeVersions.Live was = versions.get(configVersion);
    Pipeline pipelineBefore = was == null ? next.pipeline() : was.pipeline();
    rules = next.rules();
    configVersion = number;
    // A metric's memory goes if the new rules watch it otherwise or the new pipeline makes its values otherwise
    // (another unit, another expression): judged against values of another meaning, every rule would fire.
    histories.entrySet().removeIf(e ->
        !rules.remembers(e.getKey()) || rules.historyFor(e.getKey()) != before.historyFor(e.getKey())
            || !pipelineBefore.shapeOf(e.getKey()).equals(next.pipeline().shapeOf(e.getKey())));
    if (forests != null && (!rcfRules(rules).equals(rcfRules(before)) || rcfRules(rules).stream()
        .flatMap(rule -> rule.metrics().stream())
        .anyMatch(metric -> !pipelineBefore.shapeOf(metric).equals(next.pipeline().shapeOf(metric))))) {
      forests = null; // the next reading plants the new rules' forests
    }
  }

  private static List<AnomalyRule> rcfRules(AnomalyRules rules) {
    return rules.rules().stream().filter(r -> r instanceof AnomalyRule.Rcf).toList();
  }

  /** The version of the type's configuration the state judges by. */
  public int configVersion() {
    return configVersion;
  }

  /** The anomaly rules this reading breaks, judged against what came before it. Changes nothing. */
  public List<AnomalyHit> detect(SourcedReading reading) {
    if (rules.rules().isEmpty()) {
      return List.of();
    }
    // onnx: the type's models score the whole reading, inline (microseconds for a small model: docs/BENCHMARKS.md)
    List<AnomalyHit> hits = rules.scores() ? rules.score(reading.metrics()) : List.of();
    for (Map.Entry<String, Double> metric : reading.metrics().entrySet()) {
      List<AnomalyHit> found =
          rules.check(metric.getKey(), metric.getValue(), histories.get(metric.getKey()));
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
    if (readings == 0 && registration != null) {
      registration = new Caused<>(registration.output(), reading.partition(), reading.offset());
    }
    offsets.advance(topic, reading.partition(), reading.offset());
    lastPartition = reading.partition();
    lastOffset = reading.offset();
    readings++;
    expiredAt = NOT_EXPIRED;
    if (forests != null || rules.learns()) {
      learn(reading);
    }
    if (incidents != null && !incidents.isEmpty()) {
      trackRecovery(reading); // before the values join the histories the rules judge them against
    }
    reading.metrics().forEach((metric, value) -> {
      MetricSummary summary = metrics.get(metric);
      if (summary == null) {
        metrics.put(metric.intern(), new MetricSummary(value, 1));
      } else {
        summary.last = value;
        summary.count++;
      }
      MetricHistory history = histories.get(metric);
      if (history == null && rules.remembers(metric)) {
        history = new MetricHistory(rules.historyFor(metric));
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
      keepLate(reading);
    }
    maxEventTime = Math.max(maxEventTime, reading.ts());
  }

  /**
   * The forests score the reading, then learn it: the one time each reading changes them, live and on replay, in
   * arrival order as the other rules see readings ({@link #learnedHits} and recovery read that score).
   */
  private void learn(SourcedReading reading) {
    if (forests == null) {
      forests = RcfForests.create(rules.rules(), entityId);
    }
    forests.learn(reading.metrics());
  }

  /** The rcf hits of the reading just applied, from the scores it took before the forests learned it. */
  public List<AnomalyHit> learnedHits(SourcedReading reading) {
    return forests == null ? List.of() : forests.hits(reading.metrics());
  }

  void keepLate(SourcedReading reading) {
    if (recentLate == null) {
      recentLate = new ArrayDeque<>(4);
    }
    recentLate.addFirst(reading);
    if (recentLate.size() > RECENT_LATE) {
      recentLate.removeLast();
    }
  }

  private void close(WindowClosed closed) {
    SpecWindows specWindows = windows.get(closed.spec());
    if (specWindows != null) {
      specWindows.remove(closed);
    }
    Deque<Caused<WindowClosed>> kept = recentWindows.computeIfAbsent(closed.spec(), s -> new ArrayDeque<>());
    kept.addFirst(new Caused<>(closed, lastPartition, lastOffset));
    if (kept.size() > config.recentWindowsPerSpec()) {
      kept.removeLast();
    }
    if (lastPartition == Caused.NO_READING) {
      idleUnpublished = appended(idleUnpublished, closed);
    }
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
    recentWindows.values().forEach(kept -> kept.forEach(w -> all.add(w.output())));
    return all;
  }

  public EntityStateView toView(long lastSeqNr) {
    List<WindowView> openViews = new ArrayList<>();
    windows.values().forEach(w -> w.open().forEach(open -> openViews.addAll(views(open.toClosed()))));
    List<WindowView> recentViews = new ArrayList<>();
    recentWindows.values().forEach(kept -> {
      Iterator<Caused<WindowClosed>> newest = kept.iterator();
      for (int i = 0; i < RECENT_IN_VIEW_PER_SPEC && newest.hasNext(); i++) {
        recentViews.addAll(views(newest.next().output()));
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
        recentViews,
        recentLate == null ? List.of() : recentLate.stream()
            .map(r -> new EntityStateView.LateReading(r.ts(), r.metrics(), r.event()))
            .toList(),
        expired() ? expiredAt : null);
  }

  /** The last value of each metric that has one (an expiry clears them). */
  Map<String, Double> lastValues() {
    Map<String, Double> values = new HashMap<>();
    metrics.forEach((metric, summary) -> {
      if (!Double.isNaN(summary.last)) {
        values.put(metric, summary.last);
      }
    });
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
