package io.tidewatch.protocol;

/** What parsing one input record gave: a valid reading, or a reason a person can read why it was rejected. */
public sealed interface ParseResult {

  record Parsed(Reading reading) implements ParseResult {}

  record Rejected(String reason) implements ParseResult {

    /** A short, fixed name for the kind of problem: a metrics label, where the reason itself varies. */
    public String category() {
      if (reason.startsWith("invalid JSON") || reason.startsWith("unreadable")) {
        return "invalid-json";
      }
      if (reason.startsWith("record of") || reason.contains("exceed the limit")) {
        return "too-large";
      }
      if (reason.startsWith("empty") || reason.startsWith("expected a JSON object")) {
        return "not-an-object";
      }
      if (reason.startsWith("unknown entity type")) {
        return "unknown-type";
      }
      if (reason.startsWith("no entity id") || reason.startsWith("entity id") || reason.contains("entityId")
          || reason.contains("entityType")) {
        return "bad-id";
      }
      if (reason.contains("ts") || reason.contains("timestamp") || reason.contains("event time")) {
        return "bad-time";
      }
      if (reason.startsWith("metric")) {
        return "bad-metric";
      }
      return "invalid-field";
    }
  }
}
