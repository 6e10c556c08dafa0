package io.tidewatch.protocol;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidewatch.protocol.ParseResult.Category;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Parses and validates input records (DESIGN §2): the canonical JSON form and the two legacy flat forms. Never
 * throws on bad input: every problem becomes a {@link ParseResult.Rejected} with a reason for the dead-letter
 * topic.
 */
public final class ReadingParser {

  public static final int MAX_RECORD_BYTES = 64 * 1024;
  public static final int MAX_METRICS = 64;
  public static final int MAX_ATTRS = 32;
  /** Legacy {@code timestamp} values below this are seconds, above it milliseconds. */
  private static final double SECONDS_LIMIT = 1e11;
  /** Larger magnitudes would overflow window sums and variances into infinities. */
  public static final double MAX_METRIC_MAGNITUDE = 1e15;
  public static final Duration DEFAULT_MAX_FUTURE_SKEW = Duration.ofDays(1);

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final Set<String> entityTypes;
  private final long maxFutureSkewMs;
  private final LongSupplier clock;

  /** A parser for these entity types, accepting event times up to a day ahead of the system clock. */
  public ReadingParser(Set<String> entityTypes) {
    this(entityTypes, DEFAULT_MAX_FUTURE_SKEW, System::currentTimeMillis);
  }

  /**
   * @param entityTypes the configured entity types; readings of any other type are rejected
   * @param maxFutureSkew how far ahead of {@code clock} an event time may be: a reading from the future would hold
   *     its entity's watermark there and make every later reading late
   */
  public ReadingParser(Set<String> entityTypes, Duration maxFutureSkew, LongSupplier clock) {
    this.entityTypes = Set.copyOf(entityTypes);
    this.maxFutureSkewMs = maxFutureSkew.toMillis();
    this.clock = clock;
  }

  public ParseResult parse(byte[] value) {
    if (value == null || value.length == 0) {
      return reject(Category.NOT_AN_OBJECT, "empty record value");
    }
    if (value.length > MAX_RECORD_BYTES) {
      return reject(Category.TOO_LARGE, "record of " + value.length + " bytes exceeds the limit of " + MAX_RECORD_BYTES);
    }
    Reading canonical = streamedCanonical(value);
    if (canonical != null) {
      return new ParseResult.Parsed(canonical);
    }
    return parseTree(value);
  }

  /** The parse through a JSON tree: every form, and the reason for every rejection. */
  ParseResult parseTree(byte[] value) {
    JsonNode root;
    try {
      root = MAPPER.readTree(value);
    } catch (JsonProcessingException e) {
      return reject(Category.INVALID_JSON, "invalid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      return reject(Category.INVALID_JSON, "unreadable record: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      return reject(Category.NOT_AN_OBJECT, "expected a JSON object");
    }
    try {
      if (root.has("entityId") || root.has("entityType")) {
        return parseCanonical(root);
      } else if (root.has("sensor_id")) {
        return parseLegacy(root, "sensor", "sensor_id");
      } else if (root.has("user_id")) {
        return parseLegacy(root, "user", "user_id");
      }
      return reject(Category.BAD_ID, "no entity id: expected entityId (or legacy sensor_id / user_id)");
    } catch (InvalidReading e) {
      return reject(e.category, e.getMessage());
    }
  }

  /**
   * The canonical form read from the token stream, without a tree: nearly every record is one, and this is the
   * ingest's hot path. It accepts exactly what {@link #parseTree} accepts, with the same result; anything else — another
   * form, an unknown or repeated field, any invalid value — gives null, and the tree parse decides and says why.
   */
  private Reading streamedCanonical(byte[] value) {
    try (JsonParser p = MAPPER.getFactory().createParser(value)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      String type = null;
      String id = null;
      String event = null;
      long ts = -1;
      boolean seenTs = false;
      boolean seenEvent = false;
      boolean seenMetrics = false;
      boolean seenAttrs = false;
      Map<String, Double> metrics = Map.of();
      Map<String, String> attrs = Map.of();
      JsonToken token;
      while ((token = p.nextToken()) == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken v = p.nextToken();
        switch (field) {
          case "entityType" -> {
            if (type != null || v != JsonToken.VALUE_STRING) {
              return null;
            }
            type = p.getText();
          }
          case "entityId" -> {
            if (id != null || v != JsonToken.VALUE_STRING) {
              return null;
            }
            id = p.getText();
          }
          case "ts" -> {
            if (seenTs || v != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
              return null;
            }
            seenTs = true;
            ts = p.getLongValue();
          }
          case "metrics" -> {
            if (seenMetrics || (v != JsonToken.VALUE_NULL && v != JsonToken.START_OBJECT)) {
              return null;
            }
            seenMetrics = true;
            if (v == JsonToken.START_OBJECT) {
              metrics = new HashMap<>();
              while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken number = p.nextToken();
                if (number != JsonToken.VALUE_NUMBER_INT && number != JsonToken.VALUE_NUMBER_FLOAT) {
                  return null;
                }
                double d = p.getDoubleValue();
                if (!Identifiers.isName(name) || !Double.isFinite(d) || Math.abs(d) > MAX_METRIC_MAGNITUDE
                    || metrics.put(name, d) != null) {
                  return null;
                }
              }
            }
          }
          case "attrs" -> {
            if (seenAttrs || (v != JsonToken.VALUE_NULL && v != JsonToken.START_OBJECT)) {
              return null;
            }
            seenAttrs = true;
            if (v == JsonToken.START_OBJECT) {
              attrs = new HashMap<>();
              while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                if (p.nextToken() != JsonToken.VALUE_STRING || attrs.put(key, p.getText()) != null) {
                  return null;
                }
              }
            }
          }
          case "event" -> {
            if (seenEvent || (v != JsonToken.VALUE_NULL && v != JsonToken.VALUE_STRING)) {
              return null;
            }
            seenEvent = true;
            if (v == JsonToken.VALUE_STRING) {
              event = p.getText();
              if (!Identifiers.isName(event)) {
                return null;
              }
            }
          }
          default -> {
            return null;
          }
        }
      }
      if (token != JsonToken.END_OBJECT || type == null || id == null || !seenTs
          || !entityTypes.contains(type) || !Identifiers.isEntityId(id)
          || metrics.size() > MAX_METRICS || attrs.size() > MAX_ATTRS
          || ts < 0 || ts > clock.getAsLong() + maxFutureSkewMs) {
        return null;
      }
      return new Reading(type, id, ts, metrics, event, attrs);
    } catch (IOException | RuntimeException e) {
      return null; // the tree parse names the problem
    }
  }


  private ParseResult parseCanonical(JsonNode root) {
    String type = text(root, "entityType");
    String id = text(root, "entityId");
    JsonNode ts = root.get("ts");
    if (ts == null || ts.isNull()) {
      throw new InvalidReading(Category.BAD_TIME, "missing ts (event time, epoch milliseconds)");
    }
    if (!ts.isIntegralNumber() || !ts.canConvertToLong()) {
      throw new InvalidReading(Category.BAD_TIME, "ts must be an integer number of epoch milliseconds, got " + ts);
    }
    Map<String, Double> metrics = new HashMap<>();
    JsonNode metricsNode = root.get("metrics");
    if (metricsNode != null && !metricsNode.isNull()) {
      if (!metricsNode.isObject()) {
        throw new InvalidReading(Category.BAD_METRIC, "metrics must be an object of numbers");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = metricsNode.fields(); it.hasNext(); ) {
        var field = it.next();
        metrics.put(name("metric", field.getKey()), finite(field.getKey(), field.getValue()));
      }
    }
    Map<String, String> attrs = new HashMap<>();
    JsonNode attrsNode = root.get("attrs");
    if (attrsNode != null && !attrsNode.isNull()) {
      if (!attrsNode.isObject()) {
        throw new InvalidReading(Category.INVALID_FIELD, "attrs must be an object of strings");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = attrsNode.fields(); it.hasNext(); ) {
        var field = it.next();
        if (!field.getValue().isTextual()) {
          throw new InvalidReading(Category.INVALID_FIELD, "attribute " + field.getKey() + " must be a string");
        }
        attrs.put(field.getKey(), field.getValue().asText());
      }
    }
    return build(type, id, validTime(ts.longValue()), metrics, optionalEvent(root), attrs);
  }

  /** Legacy flat forms: every other numeric field is a metric, every other string field an attribute. */
  private ParseResult parseLegacy(JsonNode root, String type, String idField) {
    String id = text(root, idField);
    JsonNode timestamp = root.get("timestamp");
    if (timestamp == null || timestamp.isNull()) {
      throw new InvalidReading(Category.BAD_TIME, "missing timestamp");
    }
    if (!timestamp.isNumber()) {
      throw new InvalidReading(Category.BAD_TIME, "timestamp must be a number (seconds or milliseconds), got " + timestamp);
    }
    double raw = timestamp.doubleValue();
    if (!Double.isFinite(raw) || raw < 0 || raw > Long.MAX_VALUE / 2.0) {
      throw new InvalidReading(Category.BAD_TIME, "timestamp out of range: " + timestamp);
    }
    long ts = raw < SECONDS_LIMIT ? Math.round(raw * 1000) : Math.round(raw);
    Map<String, Double> metrics = new HashMap<>();
    Map<String, String> attrs = new HashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      var field = it.next();
      String key = field.getKey();
      if (key.equals(idField) || key.equals("timestamp") || key.equals("event")) {
        continue;
      }
      JsonNode value = field.getValue();
      if (value.isNumber()) {
        metrics.put(name("metric", key), finite(key, value));
      } else if (value.isTextual()) {
        attrs.put(key, value.asText());
      }
    }
    return build(type, id, validTime(ts), metrics, optionalEvent(root), attrs);
  }

  private ParseResult build(
      String type,
      String id,
      long ts,
      Map<String, Double> metrics,
      String event,
      Map<String, String> attrs) {
    if (!entityTypes.contains(type)) {
      throw new InvalidReading(Category.UNKNOWN_TYPE, "unknown entity type " + type + "; known: " + entityTypes);
    }
    if (!Identifiers.isEntityId(id)) {
      throw new InvalidReading(Category.BAD_ID, "entity id must be " + Identifiers.ENTITY_ID_RULE + ", got " + quoted(id));
    }
    if (metrics.size() > MAX_METRICS) {
      throw new InvalidReading(Category.TOO_LARGE, metrics.size() + " metrics exceed the limit of " + MAX_METRICS);
    }
    if (attrs.size() > MAX_ATTRS) {
      throw new InvalidReading(Category.TOO_LARGE, attrs.size() + " attributes exceed the limit of " + MAX_ATTRS);
    }
    return new ParseResult.Parsed(new Reading(type, id, ts, metrics, event, attrs));
  }

  private static String text(JsonNode root, String field) {
    JsonNode node = root.get(field);
    if (node == null || node.isNull()) {
      throw new InvalidReading(Category.BAD_ID, "missing " + field);
    }
    if (!node.isTextual()) {
      throw new InvalidReading(Category.BAD_ID, field + " must be a string, got " + node);
    }
    return node.asText();
  }

  private static String optionalEvent(JsonNode root) {
    JsonNode node = root.get("event");
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isTextual()) {
      throw new InvalidReading(Category.INVALID_FIELD, "event must be a string, got " + node);
    }
    return name("event", node.asText());
  }

  private static String name(String what, String name) {
    if (!Identifiers.isName(name)) {
      throw new InvalidReading(what.equals("metric") ? Category.BAD_METRIC : Category.INVALID_FIELD, what + " name must be " + Identifiers.NAME_RULE + ", got " + quoted(name));
    }
    return name;
  }

  private static double finite(String metric, JsonNode value) {
    if (!value.isNumber()) {
      throw new InvalidReading(Category.BAD_METRIC, "metric " + metric + " must be a number, got " + value);
    }
    double d = value.doubleValue();
    if (!Double.isFinite(d)) {
      throw new InvalidReading(Category.BAD_METRIC, "metric " + metric + " must be finite, got " + value);
    }
    if (Math.abs(d) > MAX_METRIC_MAGNITUDE) {
      throw new InvalidReading(Category.BAD_METRIC, "metric " + metric + " exceeds the magnitude limit of 1e15, got " + value);
    }
    return d;
  }

  private long validTime(long ts) {
    if (ts < 0) {
      throw new InvalidReading(Category.BAD_TIME, "event time must not be negative, got " + ts);
    }
    long latest = clock.getAsLong() + maxFutureSkewMs;
    if (ts > latest) {
      throw new InvalidReading(
          Category.BAD_TIME,
          "event time " + ts + " is more than " + Duration.ofMillis(maxFutureSkewMs) + " ahead of this node's clock");
    }
    return ts;
  }

  private static String quoted(String s) {
    return '"' + (s.length() > 140 ? s.substring(0, 140) + "…" : s) + '"';
  }

  private static ParseResult reject(Category category, String reason) {
    return new ParseResult.Rejected(category, reason);
  }

  /** Internal control flow only: turned into a {@link ParseResult.Rejected} by {@link #parse}. */
  private static final class InvalidReading extends RuntimeException {
    final Category category;

    InvalidReading(Category category, String message) {
      super(message, null, false, false);
      this.category = category;
    }
  }
}
