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
  record RecordReadings(List<SourcedReading> readings, ActorRef<RecordAck> replyTo) implements Command {
    public RecordReadings {
      readings = List.copyOf(readings);
    }
  }

  record GetState(ActorRef<EntityStateView> replyTo) implements Command {}

  /** Acknowledges a {@link RecordReadings} once its events are journaled. */
  record RecordAck(int recorded, int duplicates) implements CborSerializable {}

  /** A reading as the entity records it: the parsed values plus the Kafka coordinates it came from. */
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

  /** Readings recorded, in arrival order; no window closes between the first and the last of them. */
  record ReadingsRecorded(List<SourcedReading> readings) implements Event {
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
}
