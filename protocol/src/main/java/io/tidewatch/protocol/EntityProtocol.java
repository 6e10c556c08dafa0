package io.tidewatch.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.pekko.actor.typed.ActorRef;

/** Commands, events and replies of the per-entity actor (one per sensor or user). */
public interface EntityProtocol {

  sealed interface Command extends CborSerializable {}

  /**
   * Messages an entity sends itself (its timers, the completion of its own writes): declared private in the entity,
   * so that no one else can construct them; not part of this protocol.
   */
  non-sealed interface InternalCommand extends Command {}

  /**
   * Record readings of this entity, in the order they were consumed. One command, and one journal write, may carry
   * many readings: that is where throughput comes from. Readings already recorded (a Kafka redelivery) are
   * acknowledged without effect.
   */
  record RecordReadings(String topic, List<SourcedReading> readings, int configVersion, ActorRef<RecordAck> replyTo)
      implements Command {
    public RecordReadings {
      readings = List.copyOf(readings);
    }

    /** Readings for the newest version of their type's configuration that the entity's node knows. */
    public RecordReadings(String topic, List<SourcedReading> readings, ActorRef<RecordAck> replyTo) {
      this(topic, readings, LATEST_CONFIG, replyTo);
    }

    /** Readings from the default input topic. */
    public RecordReadings(List<SourcedReading> readings, ActorRef<RecordAck> replyTo) {
      this(DEFAULT_TOPIC, readings, replyTo);
    }
  }

  /**
   * {@link RecordReadings#configVersion} when the sender ran no pipeline version of its own (tests, benches): the entity
   * takes the newest its node knows. The ingest names the version whose pipeline shaped the readings, and the entity
   * judges them by that version's rules.
   */
  int LATEST_CONFIG = 0;

  /** The version of a type's configuration that its configuration file gave first: what events before versions ran. */
  int FIRST_CONFIG_VERSION = 1;

  /** The default input topic (DESIGN §2); also the topic of events journaled before events named theirs. */
  String DEFAULT_TOPIC = "tidewatch.readings";

  record GetState(ActorRef<EntityStateView> replyTo) implements Command {}

  /**
   * Expire the entity's state if it heard nothing for its type's {@code state-ttl}: sent by the node's sweep of the
   * entity index, which recorded, when the entity last passivated, the processing time it last heard a reading
   * ({@code heardAt}) and its last sequence number then ({@code seqNr}). The entity trusts {@code heardAt} only if
   * it journaled nothing since; otherwise it records its own expiry time again. Idempotent.
   */
  record ExpireState(long heardAt, long seqNr) implements Command {}

  /**
   * Acknowledges a {@link RecordReadings} once its events are journaled, with the outputs the whole command stands
   * for: the windows it closed and the alerts it raised, and, for readings it already had (a redelivery after a
   * crash between journal write and publish), the outputs those readings produced back then. Whoever asked
   * publishes them before it commits the readings' offsets.
   */
  /**
   * @param configVersion the newest version of the type's configuration the entity's node knows: an ingest that
   *     named an older one (its node had not heard of the newer yet) catches up from it
   */
  record RecordAck(int recorded, int duplicates, Outputs outputs, int configVersion) implements CborSerializable {
    public RecordAck(int recorded, int duplicates) {
      this(recorded, duplicates, Outputs.NONE);
    }

    public RecordAck(int recorded, int duplicates, Outputs outputs) {
      this(recorded, duplicates, outputs, LATEST_CONFIG);
    }
  }

  /**
   * Closed windows and alerts, in the order the entity journaled them: what the output topics and tables get. The
   * first outputs of an entity also carry its {@code registration}: the listing of its id in the read side goes out
   * with them (null otherwise), so that a new entity journals at once instead of waiting for its listing.
   */
  record Outputs(
      List<WindowClosed> windows,
      List<AnomalyDetected> alerts,
      List<IncidentChanged> incidents,
      EntityRegistered registration)
      implements CborSerializable {
    public static final Outputs NONE = new Outputs(List.of(), List.of(), List.of(), null);

    /** @param incidents transitions of incidents, in order; null from members of older releases */
    public Outputs {
      windows = List.copyOf(windows);
      alerts = List.copyOf(alerts);
      incidents = incidents == null ? List.of() : List.copyOf(incidents);
    }

    public Outputs(List<WindowClosed> windows, List<AnomalyDetected> alerts) {
      this(windows, alerts, List.of(), null);
    }

    public boolean isEmpty() {
      return windows.isEmpty() && alerts.isEmpty() && incidents.isEmpty() && registration == null;
    }
  }

  /** A reading as the entity records it: the parsed values plus the partition and offset it came from. */
  record SourcedReading(
      long ts,
      Map<String, Double> metrics,
      String event,
      Map<String, String> attrs,
      int partition,
      long offset) {

    public SourcedReading {
      metrics = Map.copyOf(metrics);
      attrs = attrs == null ? Map.of() : Map.copyOf(attrs);
    }

    public static SourcedReading of(Reading reading, int partition, long offset) {
      return new SourcedReading(
          reading.ts(), reading.metrics(), reading.event(), reading.attrs(), partition, offset);
    }
  }

  sealed interface Event extends CborSerializable {
    /**
     * What this event stands for in the entity's history: the entries of a {@link CommandJournaled}, the event
     * itself otherwise. Whoever reads a journal for windows, alerts or readings reads it through this.
     */
    default List<Event> entries() {
      return List.of(this);
    }
  }

  /**
   * Everything one command did, as one journal row: its entries — the registration of a new entity, its readings
   * in chunks, the windows they closed, the alerts they raised — in the order they happened. One row per command
   * instead of one per entry costs a third less CPU in the node and in Cassandra (docs/BENCHMARKS.md,
   * journal-shape). A command with a single entry journals that entry alone. Journals written before this event
   * existed hold one entry per row; both are read alike.
   *
   * <p>Alert ids (DESIGN §3) keep their meaning across both: an alert is named by its entry number, its place among
   * the entity's entries, which is the sequence number it had when every entry was a row of its own.
   */
  record CommandJournaled(List<Event> entries) implements Event {
    public CommandJournaled {
      entries = List.copyOf(entries); // no copy of a list that is already unmodifiable (RecordPlan's)
      if (entries.size() < 2) {
        throw new IllegalArgumentException("a command journals two or more entries: " + entries);
      }
      for (Event entry : entries) {
        if (entry instanceof CommandJournaled) {
          throw new IllegalArgumentException("an entry of a command is not itself combined: " + entries);
        }
      }
    }

    /** The one event a command journals: its only entry, or all of them combined. */
    public static Event of(List<Event> entries) {
      return entries.size() == 1 ? entries.get(0) : new CommandJournaled(entries);
    }
  }

  /**
   * The entity's first event: it recorded its first reading at {@code firstSeenMs} (processing time). Its outputs
   * list the entity in the read side ({@link Outputs#registration}); auditors see when it appeared.
   */
  record EntityRegistered(long firstSeenMs) implements Event {}

  /**
   * Readings recorded, in arrival order; no window closes and no rule fires between the first and the last. Version
   * 2 names the Kafka topic the readings came from (version 1 had none: {@code ReadingsRecordedMigration}).
   *
   * @param configVersion the version of the type's configuration (pipeline and anomaly rules) the readings were
   *     shaped and judged by; {@link #FIRST_CONFIG_VERSION} in events journaled before versions
   * @param recordedAt processing time of the command that recorded them, epoch milliseconds: after a recovery the
   *     entity knows from it how long it has heard nothing ({@code state-ttl}); 0 in events journaled before it
   */
  record ReadingsRecorded(String topic, List<SourcedReading> readings, int configVersion, long recordedAt)
      implements Event {
    public ReadingsRecorded {
      readings = List.copyOf(readings);
    }

    public ReadingsRecorded(String topic, List<SourcedReading> readings, int configVersion) {
      this(topic, readings, configVersion, 0);
    }

    public ReadingsRecorded(String topic, List<SourcedReading> readings) {
      this(topic, readings, FIRST_CONFIG_VERSION);
    }
  }

  /** A window closed because the watermark reached its end; it carries the final aggregates. */
  record WindowClosed(
      String spec,
      long start,
      long end,
      long count,
      Map<String, MetricAggregate> metrics,
      Map<String, Long> events)
      implements Event {

    public WindowClosed {
      // Sorted, so that the journal and the API list metrics and event names in a stable order.
      metrics = Collections.unmodifiableSortedMap(new TreeMap<>(metrics));
      events = Collections.unmodifiableSortedMap(new TreeMap<>(events));
    }
  }

  /** Redelivered records acknowledged without effect (their offsets were already recorded). */
  record DuplicatesIgnored(int count) implements Event {}

  /**
   * An anomaly rule fired for one reading (DESIGN §3).
   *
   * @param alertId entity id and the entry number of this event (its place among all the entity's journal entries,
   *     counting each entry of a {@link CommandJournaled}; the same as the sequence number for journals of one event
   *     per row): stable, so consumers can drop repeats
   * @param previous what the value was compared with (previous value, window mean), null for a range rule
   * @param ts the reading's event time
   * @param detectedAt processing time of the detection, epoch milliseconds
   * @param severity how far past the threshold the value went; null in events journaled before severities
   * @param attribution for an {@code rcf} hit, each metric of its set and its share of the anomaly score (they sum
   *     to the score; {@code metric} is the largest), sorted by metric; null for the other rules and in events
   *     journaled before it
   * @param configVersion the version of the type's configuration whose rules fired; null in events journaled before
   *     versions (the first)
   */
  record AnomalyDetected(
      String alertId,
      String rule,
      String metric,
      double value,
      Double previous,
      double threshold,
      long ts,
      long detectedAt,
      Severity severity,
      Map<String, Double> attribution,
      String model,
      Integer configVersion)
      implements Event {

    public AnomalyDetected {
      attribution = attribution == null ? null : Collections.unmodifiableSortedMap(new TreeMap<>(attribution));
    }

    public AnomalyDetected(String alertId, String rule, String metric, double value, Double previous,
        double threshold, long ts, long detectedAt, Severity severity, Map<String, Double> attribution, String model) {
      this(alertId, rule, metric, value, previous, threshold, ts, detectedAt, severity, attribution, model, null);
    }

    public AnomalyDetected(String alertId, String rule, String metric, double value, Double previous,
        double threshold, long ts, long detectedAt, Severity severity) {
      this(alertId, rule, metric, value, previous, threshold, ts, detectedAt, severity, null, null);
    }

    public AnomalyDetected(String alertId, String rule, String metric, double value, Double previous,
        double threshold, long ts, long detectedAt, Severity severity, Map<String, Double> attribution) {
      this(alertId, rule, metric, value, previous, threshold, ts, detectedAt, severity, attribution, null);
    }
  }

  /**
   * A transition of an incident. An incident is the run of hits of one rule on one metric of one entity: opened by a
   * hit when none is open, escalated by a hit of a higher severity, resolved once the metric has stayed inside the
   * rule's recovery band for its keep-firing time of event time ({@code IncidentPolicy}).
   *
   * @param incidentId the entity id and the entry number of the opening transition (as alert ids): stable
   * @param severity the incident's severity after this transition
   * @param alertId the hit that opened or escalated it; null for a resolution
   * @param ts event time of the reading behind the transition
   * @param at processing time of the transition, epoch milliseconds
   * @param openedAt processing time the incident opened
   * @param configVersion the version of the type's configuration the transition was judged by; null in events
   *     journaled before versions (the first)
   */
  record IncidentChanged(
      String incidentId,
      IncidentState transition,
      String rule,
      String metric,
      Severity severity,
      String alertId,
      long ts,
      long at,
      long openedAt,
      Integer configVersion)
      implements Event {

    public IncidentChanged(String incidentId, IncidentState transition, String rule, String metric, Severity severity,
        String alertId, long ts, long at, long openedAt) {
      this(incidentId, transition, rule, metric, severity, alertId, ts, at, openedAt, null);
    }
  }

  /** Where a transition takes an incident. */
  enum IncidentState {
    OPENED,
    ESCALATED,
    RESOLVED;

    @JsonValue
    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static IncidentState of(String id) {
      for (IncidentState state : values()) {
        if (state.id().equals(id)) {
          return state;
        }
      }
      throw new IllegalArgumentException("unknown incident transition '" + id + "' (opened, escalated or resolved)");
    }
  }

  /**
   * The entity heard nothing for its idle-close time: event time is taken to have moved on with processing time,
   * so that the windows of a silent entity close too (DESIGN §3).
   */
  record IdleTimeAdvanced(long eventTimeMs) implements Event {}

  /**
   * The entity heard nothing for its type's {@code state-ttl}: its anomaly baselines (rule histories, rcf forests) and
   * last values are cleared, its counters (readings, late readings, duplicates, anomalies, readings per metric), its
   * watermark, offsets, incidents and kept outputs stay. Its next reading starts fresh baselines and ends the expiry.
   *
   * @param at processing time of the expiry, epoch milliseconds
   * @param silentMs how long it had heard nothing (processing time)
   */
  record EntityExpired(long at, long silentMs) implements Event {}

  /**
   * The first {@code count} windows closed by the idle timer, and the first {@code alerts} alerts and {@code incidents}
   * incident transitions its silence raised, not yet marked, are on the output topics and in the read side: no ask
   * carried them, so the entity published them itself after journaling them; without this mark a recovery publishes
   * them again. Events journaled before silence raised anything carry windows only (alerts and incidents 0).
   */
  record IdleOutputsPublished(int count, int alerts, int incidents) implements Event {
    public IdleOutputsPublished(int count) {
      this(count, 0, 0);
    }
  }
}
