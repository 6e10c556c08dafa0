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

  /** Closed windows the entity keeps, newest first, filtered; null filters match everything. */
  record GetWindows(String spec, String metric, Long from, Long to, int limit, ActorRef<WindowsReply> replyTo)
      implements Command {}

  /** Alerts the entity keeps, newest first, with event time in [from, to); null bounds match everything. */
  record GetAlerts(Long from, Long to, int limit, ActorRef<AlertsReply> replyTo) implements Command {}

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
   * @param forgotten true if the entity no longer keeps some older closed windows (the journal has them all)
   * @param lastSeqNr 0 for an entity that never recorded anything
   */
  record WindowsReply(List<WindowView> items, boolean forgotten, long lastSeqNr) implements CborSerializable {
    public WindowsReply {
      items = List.copyOf(items);
    }
  }

  /**
   * @param forgotten true if the entity no longer keeps some older alerts (the journal has them all)
   * @param lastSeqNr 0 for an entity that never recorded anything
   */
  record AlertsReply(List<AlertView> items, boolean forgotten, long lastSeqNr) implements CborSerializable {
    public AlertsReply {
      items = List.copyOf(items);
    }
  }

  /** Acknowledges a {@link RecordReadings} once its events are journaled. */
  record RecordAck(int recorded, int duplicates) implements CborSerializable {}

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
}
