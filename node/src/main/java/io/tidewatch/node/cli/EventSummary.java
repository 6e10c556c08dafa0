package io.tidewatch.node.cli;

import com.fasterxml.jackson.databind.JsonNode;

/** What one journal event did, in a few words, for {@code replay --format table}. */
public final class EventSummary {

  private EventSummary() {}

  /**
   * @param type the event's type as the journal line names it, e.g. {@code WindowClosed}
   * @param event the event's own fields; any type without a summary of its own shows them as JSON
   */
  public static String of(String type, JsonNode event) {
    return switch (type) {
      case "ReadingsRecorded" -> readings(event.path("readings"));
      case "WindowClosed" ->
          event.path("spec").asText() + " " + Times.iso(event.path("start").asLong()) + ".."
              + Times.iso(event.path("end").asLong()) + " count " + event.path("count").asLong();
      case "AnomalyDetected" ->
          event.path("rule").asText() + " " + event.path("metric").asText() + " " + event.path("value").asText();
      case "IncidentChanged" ->
          "incident " + event.path("incidentId").asText() + " " + event.path("transition").asText() + " ("
              + event.path("rule").asText() + " " + event.path("metric").asText() + ", "
              + event.path("severity").asText() + ")";
      default -> event.toString();
    };
  }

  // Readings are journaled in arrival order, not event time, so the range is the smallest and largest ts.
  private static String readings(JsonNode readings) {
    int count = readings.size();
    if (count == 0) {
      return "0 readings";
    }
    long first = Long.MAX_VALUE;
    long last = Long.MIN_VALUE;
    for (JsonNode reading : readings) {
      long ts = reading.path("ts").asLong();
      first = Math.min(first, ts);
      last = Math.max(last, ts);
    }
    String what = count == 1 ? "1 reading" : count + " readings";
    return what + ", ts " + Times.iso(first) + (first == last ? "" : ".." + Times.iso(last));
  }
}
