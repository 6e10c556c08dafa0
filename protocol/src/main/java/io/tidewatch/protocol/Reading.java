package io.tidewatch.protocol;

import java.util.Map;

/**
 * One reading or user event as it arrives on the input topic (DESIGN §2), after parsing and validation.
 *
 * @param ts event time, epoch milliseconds
 * @param metrics finite numbers by metric name (0–64 of them)
 * @param event optional event name, counted per window (e.g. {@code click}); null when absent
 * @param attrs optional attributes, kept but not aggregated
 */
public record Reading(
    String entityType,
    String entityId,
    long ts,
    Map<String, Double> metrics,
    String event,
    Map<String, String> attrs) {

  public Reading {
    metrics = Map.copyOf(metrics);
    attrs = attrs == null ? Map.of() : Map.copyOf(attrs);
  }
}
