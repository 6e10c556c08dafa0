package io.tidewatch.node.cli;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

/** Times as the API takes them (epoch milliseconds or ISO-8601) and as the command line prints them (UTC). */
public final class Times {

  // Always the millisecond part, unlike Instant.toString(): every time is 24 characters, so streamed columns line up.
  private static final DateTimeFormatter ISO =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
  private static final Pattern DIGITS = Pattern.compile("-?[0-9]{1,19}");

  private Times() {}

  /** For example {@code 2023-11-14T22:13:20.123Z}. */
  public static String iso(long epochMs) {
    return ISO.format(Instant.ofEpochMilli(epochMs));
  }

  /**
   * Epoch milliseconds ({@code 1700000000123}) or an ISO-8601 time with a zone ({@code 2026-11-21T12:00:00Z},
   * {@code 2026-11-21T13:00:00+01:00}), the forms the API accepts.
   *
   * @throws IllegalArgumentException naming the accepted forms
   */
  public static long parse(String text) {
    String t = text.strip();
    try {
      if (DIGITS.matcher(t).matches()) {
        return Long.parseLong(t);
      }
      try {
        return Instant.parse(t).toEpochMilli();
      } catch (DateTimeParseException notInstant) {
        // The API tries the same two forms in the same order, so both accept exactly the same times.
        return OffsetDateTime.parse(t).toInstant().toEpochMilli();
      }
    } catch (DateTimeException | ArithmeticException | NumberFormatException e) {
      throw new IllegalArgumentException(
          "expected epoch milliseconds or an ISO-8601 time such as 2026-11-21T12:00:00Z, got '" + text + "'");
    }
  }
}
