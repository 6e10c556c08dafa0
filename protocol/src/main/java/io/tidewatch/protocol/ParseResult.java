package io.tidewatch.protocol;

/** What parsing one input record gave: a valid reading, or a reason a person can read why it was rejected. */
public sealed interface ParseResult {

  record Parsed(Reading reading) implements ParseResult {}

  /** A rejection: its kind, named where the reason is written, and the reason itself. */
  record Rejected(Category category, String reason) implements ParseResult {}

  /** The kinds of rejection: a fixed label for metrics and dead-letter headers, where the reason itself varies. */
  enum Category {
    INVALID_JSON("invalid-json"),
    INVALID_PROTOBUF("invalid-protobuf"),
    TOO_LARGE("too-large"),
    NOT_AN_OBJECT("not-an-object"),
    UNKNOWN_TYPE("unknown-type"),
    BAD_ID("bad-id"),
    BAD_TIME("bad-time"),
    BAD_METRIC("bad-metric"),
    INVALID_FIELD("invalid-field");

    private final String label;

    Category(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }
}
