package io.tidewatch.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** An entity's state (DESIGN §4) as a person reads it, for {@code replay --as-of --format table}. */
public final class StateSummary {

  private static final int[] NAME_WIDTH = {12};
  private static final List<String> COUNTERS = List.of("readings", "lateReadings", "duplicates", "anomalies");

  private StateSummary() {}

  /** One {@code name  value} line each for the entity, its last sequence number, counters, watermark and values. */
  public static String of(JsonNode state) {
    StringBuilder out = new StringBuilder();
    line(out, "entity", state.path("entityType").asText() + "/" + state.path("entityId").asText());
    line(out, "lastSeqNr", state.path("lastSeqNr").asLong());
    for (String counter : COUNTERS) {
      line(out, counter, state.path(counter).asLong());
    }
    line(out, "watermark", watermark(state.path("watermarkMs")));
    line(out, "openWindows", openWindows(state.path("openWindows")));
    line(out, "lastValues", lastValues(state.path("lastValues")));
    return out.toString();
  }

  private static void line(StringBuilder out, String name, Object value) {
    out.append(Table.line(NAME_WIDTH, name, value)).append('\n');
  }

  // The entity reports Long.MIN_VALUE until its first reading.
  private static String watermark(JsonNode watermarkMs) {
    return watermarkMs.isNumber() && watermarkMs.asLong() != Long.MIN_VALUE ? Times.iso(watermarkMs.asLong()) : "none";
  }

  // The API lists one item per window and metric; a person asks how many windows are open.
  private static int openWindows(JsonNode items) {
    Set<String> windows = new HashSet<>();
    for (JsonNode item : items) {
      windows.add(item.path("spec").asText() + "@" + item.path("start").asLong());
    }
    return windows.size();
  }

  private static String lastValues(JsonNode values) {
    Map<String, String> sorted = new TreeMap<>();
    values.properties().forEach(e -> sorted.put(e.getKey(), e.getValue().asText()));
    return sorted.isEmpty()
        ? "none"
        : sorted.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "));
  }
}
