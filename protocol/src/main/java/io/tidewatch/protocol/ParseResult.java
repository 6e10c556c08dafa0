package io.tidewatch.protocol;

/** What parsing one input record gave: a valid reading, or a reason a person can read why it was rejected. */
public sealed interface ParseResult {

  record Parsed(Reading reading) implements ParseResult {}

  record Rejected(String reason) implements ParseResult {}
}
