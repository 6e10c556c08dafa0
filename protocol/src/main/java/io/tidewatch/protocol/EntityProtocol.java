package io.tidewatch.protocol;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.pekko.actor.typed.ActorRef;

/** Commands, events and replies of the per-entity actor (one per sensor or user). */
public interface EntityProtocol {

  sealed interface Command extends CborSerializable {}

  /**
   * Record readings of this entity, in the order they were consumed. One command, and one journal write, may carry
   * many readings: that is where throughput comes from. Readings already recorded (a Kafka redelivery) are
   * acknowledged without effect.
   */
  record RecordReadings(String topic, List<SourcedReading> readings, ActorRef<RecordAck> replyTo)
      implements Command {
    public RecordReadings {
      readings = List.copyOf(readings);
    }

    /** Readings from the default input topic. */
    public RecordReadings(List<SourcedReading> readings, ActorRef<RecordAck> replyTo) {
      this(DEFAULT_TOPIC, readings, replyTo);
    }
  }

  /** The default input topic (DESIGN §2); also the topic of events journaled before events named theirs. */
  String DEFAULT_TOPIC = "tidewatch.readings";

  record GetState(ActorRef<EntityStateView> replyTo) implements Command {}

  /** Timer message: nothing arrived for the idle-close time, so close the windows that silence makes due. */
  enum CloseIdleWindows implements Command {
    INSTANCE
  }

  /** Timer message: silent with no open windows, so ask the shard to stop this entity until it is needed. */
  enum Passivate implements Command {
    INSTANCE
  }

  /**
   * Internal: the entity's row in the read side's listing was written, or not ({@code failure} says why). A new
   * entity lists itself before it journals its first event, so every entity with a journal is listed.
   */
  record Listed(String failure) implements Command {}

  /**
   * Internal: the windows the idle timer closed reached the outputs ({@code count} of them), or not ({@code failure}
   * says why).
   */
  record IdleOutputsSent(int count, String failure) implements Command {}

  /** Internal: the entity index marks this entity as having unpublished outputs, or not ({@code failure} says why). */
  record OutputsMarked(String failure) implements Command {}

  /**
   * Acknowledges a {@link RecordReadings} once its events are journaled, with the outputs the whole command stands
   * for: the windows it closed and the alerts it raised, and, for readings it already had (a redelivery after a
   * crash between journal write and publish), the outputs those readings produced back then. Whoever asked
   * publishes them before it commits the readings' offsets.
   */
  record RecordAck(int recorded, int duplicates, Outputs outputs) implements CborSerializable {
    public RecordAck(int recorded, int duplicates) {
      this(recorded, duplicates, Outputs.NONE);
    }
  }

  /** Closed windows and alerts, in the order the entity journaled them: what the output topics and tables get. */
  record Outputs(List<WindowClosed> windows, List<AnomalyDetected> alerts) implements CborSerializable {
    public static final Outputs NONE = new Outputs(List.of(), List.of());

    public Outputs {
      windows = List.copyOf(windows);
      alerts = List.copyOf(alerts);
    }

    public boolean isEmpty() {
      return windows.isEmpty() && alerts.isEmpty();
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

  sealed interface Event extends CborSerializable {}

  /**
   * The entity's first event: it recorded its first reading at {@code firstSeenMs} (processing time), for auditors.
   * Journals written before entities listed themselves in the read side have it tagged, for the read side.
   */
  record EntityRegistered(long firstSeenMs) implements Event {}

  /**
   * Readings recorded, in arrival order; no window closes and no rule fires between the first and the last. Version
   * 2 names the Kafka topic the readings came from (version 1 had none: {@code ReadingsRecordedMigration}).
   */
  record ReadingsRecorded(String topic, List<SourcedReading> readings) implements Event {
    public ReadingsRecorded {
      readings = List.copyOf(readings);
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
   * @param alertId entity id and the sequence number of this event: stable, so consumers can drop repeats
   * @param previous what the value was compared with (previous value, window mean), null for a range rule
   * @param ts the reading's event time
   * @param detectedAt processing time of the detection, epoch milliseconds
   */
  record AnomalyDetected(
      String alertId,
      String rule,
      String metric,
      double value,
      Double previous,
      double threshold,
      long ts,
      long detectedAt)
      implements Event {}

  /**
   * The entity heard nothing for its idle-close time: event time is taken to have moved on with processing time,
   * so that the windows of a silent entity close too (DESIGN §3).
   */
  record IdleTimeAdvanced(long eventTimeMs) implements Event {}

  /**
   * The first {@code count} windows closed by the idle timer and not yet marked are on the output topics and in the
   * read side: no ask carried them, so the entity published them itself after journaling them; without this mark a
   * recovery publishes them again.
   */
  record IdleOutputsPublished(int count) implements Event {}
}
