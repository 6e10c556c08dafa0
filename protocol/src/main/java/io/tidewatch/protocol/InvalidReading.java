package io.tidewatch.protocol;

import io.tidewatch.protocol.ParseResult.Category;

/**
 * Internal control flow of the parser only: a decoder or a rule found the record invalid, and {@link ReadingParser}
 * turns this into a {@link ParseResult.Rejected}. Without a stack trace: bad records are routine, not bugs.
 */
final class InvalidReading extends RuntimeException {

  final Category category;

  InvalidReading(Category category, String message) {
    super(message, null, false, false);
    this.category = category;
  }
}
