package io.tidewatch.protocol;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidewatch.protocol.ParseResult.Category;
import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Decodes the JSON forms of DESIGN §2 — the canonical object and the two legacy flat forms — into a
 * {@link RawReading}. It checks only what JSON can get wrong (syntax, the shape and type of each field); the rules
 * of a valid reading are {@link ReadingRules}'.
 */
final class JsonReadings {

  /** Legacy {@code timestamp} values below this are seconds, above it milliseconds. */
  private static final double SECONDS_LIMIT = 1e11;

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private JsonReadings() {}

  /**
   * The canonical form read from the token stream, without a tree: nearly every record is one, and this is the
   * ingest's hot path. It gives exactly what {@link #tree} gives, or null — for another form, an unknown or repeated
   * field, a value of the wrong type, bad syntax — and then the tree decides and says why.
   */
  static RawReading streamed(byte[] value) {
    try (JsonParser p = MAPPER.getFactory().createParser(value)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      String type = null;
      String id = null;
      String event = null;
      Long ts = null;
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
            if (ts != null || v != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
              return null;
            }
            ts = p.getLongValue();
          }
          case "metrics" -> {
            if (seenMetrics || (v != JsonToken.VALUE_NULL && v != JsonToken.START_OBJECT)) {
              return null;
            }
            seenMetrics = true;
            if (v == JsonToken.START_OBJECT) {
              metrics = new LinkedHashMap<>();
              while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken number = p.nextToken();
                if ((number != JsonToken.VALUE_NUMBER_INT && number != JsonToken.VALUE_NUMBER_FLOAT)
                    || metrics.put(name, p.getDoubleValue()) != null) {
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
              attrs = new LinkedHashMap<>();
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
            event = v == JsonToken.VALUE_STRING ? p.getText() : null;
          }
          default -> {
            return null;
          }
        }
      }
      if (token != JsonToken.END_OBJECT || type == null || id == null) {
        return null; // incomplete, or a form the tree tells apart
      }
      return new RawReading(type, id, ts, metrics, event, attrs);
    } catch (IOException | RuntimeException e) {
      return null; // the tree parse names the problem
    }
  }

  /** The parse through a JSON tree: every form, and the reason for every rejection it can find. */
  static RawReading tree(byte[] value) {
    JsonNode root;
    try {
      root = MAPPER.readTree(value);
    } catch (JsonProcessingException e) {
      throw new InvalidReading(Category.INVALID_JSON, "invalid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new InvalidReading(Category.INVALID_JSON, "unreadable record: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw new InvalidReading(Category.NOT_AN_OBJECT, "expected a JSON object");
    }
    if (root.has("entityId") || root.has("entityType")) {
      return canonical(root);
    } else if (root.has("sensor_id")) {
      return legacy(root, "sensor", "sensor_id");
    } else if (root.has("user_id")) {
      return legacy(root, "user", "user_id");
    }
    throw new InvalidReading(Category.BAD_ID, "no entity id: expected entityId (or legacy sensor_id / user_id)");
  }

  private static RawReading canonical(JsonNode root) {
    String type = text(root, "entityType");
    String id = text(root, "entityId");
    JsonNode ts = root.get("ts");
    if (ts != null && !ts.isNull() && (!ts.isIntegralNumber() || !ts.canConvertToLong())) {
      throw new InvalidReading(Category.BAD_TIME, "ts must be an integer number of epoch milliseconds, got " + ts);
    }
    Map<String, Double> metrics = new LinkedHashMap<>();
    JsonNode metricsNode = root.get("metrics");
    if (metricsNode != null && !metricsNode.isNull()) {
      if (!metricsNode.isObject()) {
        throw new InvalidReading(Category.BAD_METRIC, "metrics must be an object of numbers");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = metricsNode.fields(); it.hasNext(); ) {
        var field = it.next();
        metrics.put(field.getKey(), number(field.getKey(), field.getValue()));
      }
    }
    Map<String, String> attrs = new LinkedHashMap<>();
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
    Long time = ts == null || ts.isNull() ? null : ts.longValue();
    return new RawReading(type, id, time, metrics, optionalEvent(root), attrs);
  }

  /** Legacy flat forms: every other numeric field is a metric, every other string field an attribute. */
  private static RawReading legacy(JsonNode root, String type, String idField) {
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
    Map<String, Double> metrics = new LinkedHashMap<>();
    Map<String, String> attrs = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      var field = it.next();
      String key = field.getKey();
      if (key.equals(idField) || key.equals("timestamp") || key.equals("event")) {
        continue;
      }
      JsonNode value = field.getValue();
      if (value.isNumber()) {
        metrics.put(key, value.doubleValue());
      } else if (value.isTextual()) {
        attrs.put(key, value.asText());
      }
    }
    return new RawReading(type, id, ts, metrics, optionalEvent(root), attrs);
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
    return node.asText();
  }

  private static double number(String metric, JsonNode value) {
    if (!value.isNumber()) {
      throw new InvalidReading(Category.BAD_METRIC, "metric " + metric + " must be a number, got " + value);
    }
    return value.doubleValue();
  }
}
