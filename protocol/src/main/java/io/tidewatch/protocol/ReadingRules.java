package io.tidewatch.protocol;

import io.tidewatch.protocol.ParseResult.Category;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The rules every reading must pass (DESIGN §2), whatever its wire format: written once, so that a JSON and a
 * protobuf record with the same content are accepted alike or rejected with the same reason. The decoders check
 * only what their format can get wrong (a string where a number belongs, bytes that are not JSON or protobuf).
 */
final class ReadingRules {

  private final Set<String> entityTypes;
  private final long maxFutureSkewMs;
  private final LongSupplier clock;

  ReadingRules(Set<String> entityTypes, Duration maxFutureSkew, LongSupplier clock) {
    this.entityTypes = Set.copyOf(entityTypes);
    this.maxFutureSkewMs = maxFutureSkew.toMillis();
    this.clock = clock;
  }

  /** The valid reading; throws {@link InvalidReading} naming the first rule broken. */
  Reading validate(RawReading raw) {
    if (raw.entityType() == null) {
      throw new InvalidReading(Category.BAD_ID, "missing entityType");
    }
    if (raw.entityId() == null) {
      throw new InvalidReading(Category.BAD_ID, "missing entityId");
    }
    if (raw.ts() == null) {
      throw new InvalidReading(Category.BAD_TIME, "missing ts (event time, epoch milliseconds)");
    }
    for (Map.Entry<String, Double> metric : raw.metrics().entrySet()) {
      name("metric", metric.getKey());
      finite(metric.getKey(), metric.getValue());
    }
    long ts = validTime(raw.ts());
    if (raw.event() != null) {
      name("event", raw.event());
    }
    if (!entityTypes.contains(raw.entityType())) {
      throw new InvalidReading(
          Category.UNKNOWN_TYPE, "unknown entity type " + raw.entityType() + "; known: " + entityTypes);
    }
    if (!Identifiers.isEntityId(raw.entityId())) {
      throw new InvalidReading(
          Category.BAD_ID, "entity id must be " + Identifiers.ENTITY_ID_RULE + ", got " + quoted(raw.entityId()));
    }
    if (raw.metrics().size() > ReadingParser.MAX_METRICS) {
      throw new InvalidReading(
          Category.TOO_LARGE, raw.metrics().size() + " metrics exceed the limit of " + ReadingParser.MAX_METRICS);
    }
    if (raw.attrs().size() > ReadingParser.MAX_ATTRS) {
      throw new InvalidReading(
          Category.TOO_LARGE, raw.attrs().size() + " attributes exceed the limit of " + ReadingParser.MAX_ATTRS);
    }
    return new Reading(raw.entityType(), raw.entityId(), ts, raw.metrics(), raw.event(), raw.attrs());
  }

  /** The metric rules alone (names, finite values, their count): for a reading a pipeline changed after validation. */
  static void checkMetrics(Map<String, Double> metrics) {
    for (Map.Entry<String, Double> metric : metrics.entrySet()) {
      name("metric", metric.getKey());
      finite(metric.getKey(), metric.getValue());
    }
    if (metrics.size() > ReadingParser.MAX_METRICS) {
      throw new InvalidReading(
          Category.TOO_LARGE, metrics.size() + " metrics exceed the limit of " + ReadingParser.MAX_METRICS);
    }
  }

  private static void name(String what, String name) {
    if (!Identifiers.isName(name)) {
      throw new InvalidReading(
          what.equals("metric") ? Category.BAD_METRIC : Category.INVALID_FIELD,
          what + " name must be " + Identifiers.NAME_RULE + ", got " + quoted(name));
    }
  }

  private static void finite(String metric, double value) {
    if (!Double.isFinite(value)) {
      throw new InvalidReading(Category.BAD_METRIC, "metric " + metric + " must be finite, got " + value);
    }
    if (Math.abs(value) > ReadingParser.MAX_METRIC_MAGNITUDE) {
      throw new InvalidReading(
          Category.BAD_METRIC, "metric " + metric + " exceeds the magnitude limit of 1e15, got " + value);
    }
  }

  private long validTime(long ts) {
    if (ts < 0) {
      throw new InvalidReading(Category.BAD_TIME, "event time must not be negative, got " + ts);
    }
    if (ts > clock.getAsLong() + maxFutureSkewMs) {
      throw new InvalidReading(
          Category.BAD_TIME,
          "event time " + ts + " is more than " + Duration.ofMillis(maxFutureSkewMs) + " ahead of this node's clock");
    }
    return ts;
  }

  static String quoted(String s) {
    return '"' + (s.length() > 140 ? s.substring(0, 140) + "…" : s) + '"';
  }
}
