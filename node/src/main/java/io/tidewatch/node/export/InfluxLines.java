package io.tidewatch.node.export;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;

/**
 * An aggregates record (DESIGN §2: one closed window and metric) as one point of InfluxDB's line protocol:
 * measurement {@code tidewatch_window}, tags {@code entityId, entityType, metric, spec} (no {@code metric} for a
 * window of events only), fields {@code count, end, sum, min, max, mean, stddev} and one {@code events.<name>} per
 * event name, timestamp the window's start in milliseconds. A window's series and time are its identity, so a
 * repeated record (outputs are at least once) overwrites the same point: duplicates collapse in InfluxDB itself.
 */
public final class InfluxLines {

  public static final String MEASUREMENT = "tidewatch_window";

  private InfluxLines() {}

  /** The point for one aggregates record; IllegalArgumentException, naming the field, if it is not one. */
  public static String line(JsonNode record) {
    StringBuilder line = new StringBuilder(256).append(MEASUREMENT);
    tag(line, "entityId", text(record, "entityId"));
    tag(line, "entityType", text(record, "entityType"));
    JsonNode metric = record.get("metric");
    boolean hasMetric = metric != null && !metric.isNull();
    if (hasMetric) {
      tag(line, "metric", metric.asText());
    }
    tag(line, "spec", text(record, "spec"));
    line.append(' ').append("count=").append(integer(record, "count")).append('i');
    line.append(",end=").append(integer(record, "end")).append('i');
    if (hasMetric) {
      for (String field : new String[] {"sum", "min", "max", "mean", "stddev"}) {
        JsonNode value = record.get(field);
        if (value != null && value.isNumber() && Double.isFinite(value.asDouble())) { // InfluxDB takes no NaN
          line.append(',').append(field).append('=').append(value.asDouble());
        }
      }
    }
    JsonNode events = record.get("events");
    if (events != null && events.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = events.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> event = it.next();
        line.append(',');
        escape(line, "events." + event.getKey());
        line.append('=').append(event.getValue().asLong()).append('i');
      }
    }
    return line.append(' ').append(integer(record, "start")).toString();
  }

  private static String text(JsonNode record, String field) {
    JsonNode value = record.get(field);
    if (value == null || !value.isTextual() || value.asText().isEmpty()) {
      throw new IllegalArgumentException("an aggregates record needs a non-empty text '" + field + "'");
    }
    return value.asText();
  }

  private static long integer(JsonNode record, String field) {
    JsonNode value = record.get(field);
    if (value == null || !value.canConvertToLong()) {
      throw new IllegalArgumentException("an aggregates record needs an integer '" + field + "'");
    }
    return value.asLong();
  }

  private static void tag(StringBuilder line, String key, String value) {
    line.append(',').append(key).append('=');
    escape(line, value);
  }

  /** Commas, spaces and equals signs are escaped in tag keys, tag values and field keys. */
  private static void escape(StringBuilder line, String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == ',' || c == ' ' || c == '=') {
        line.append('\\');
      }
      line.append(c);
    }
  }
}
