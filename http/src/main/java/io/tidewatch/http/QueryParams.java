package io.tidewatch.http;

import io.tidewatch.protocol.Identifiers;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

/** Validated query parameters: every bad value becomes a 400 with a detail a person can act on. */
final class QueryParams {

  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 1000;
  private static final Pattern DIGITS = Pattern.compile("-?[0-9]{1,19}");

  private final Map<String, String> params;

  QueryParams(Map<String, String> params) {
    this.params = params;
  }

  int limit() {
    String raw = params.get("limit");
    if (raw == null) {
      return DEFAULT_LIMIT;
    }
    int limit = integer("limit", raw);
    if (limit < 1 || limit > MAX_LIMIT) {
      throw ProblemException.badRequest("limit must be between 1 and " + MAX_LIMIT + ", got " + raw);
    }
    return limit;
  }

  /**
   * A position from a previous page's {@code next}, read by {@code parse} (which throws IllegalArgumentException for
   * anything else); null when absent.
   */
  <T> T position(String name, Function<String, T> parse) {
    String raw = params.get(name);
    if (raw == null) {
      return null;
    }
    try {
      return parse.apply(raw);
    } catch (IllegalArgumentException e) {
      throw ProblemException.badRequest(name + " must be the next value of a previous page, got " + quoted(raw));
    }
  }

  /** A time as epoch milliseconds or ISO-8601 (e.g. 2026-11-21T12:00:00Z); null when absent. */
  Long time(String name) {
    String raw = params.get(name);
    if (raw == null) {
      return null;
    }
    if (DIGITS.matcher(raw).matches()) {
      try {
        return Long.parseLong(raw);
      } catch (NumberFormatException e) {
        throw ProblemException.badRequest(name + " is out of range: " + raw);
      }
    }
    try {
      return Instant.parse(raw).toEpochMilli();
    } catch (DateTimeParseException | ArithmeticException notInstant) {
      try {
        return OffsetDateTime.parse(raw).toInstant().toEpochMilli();
      } catch (DateTimeParseException | ArithmeticException e) {
        throw ProblemException.badRequest(
            name + " must be epoch milliseconds or an ISO-8601 time such as 2026-11-21T12:00:00Z, got " + quoted(raw));
      }
    }
  }

  /** A sequence number of 0 or more; null when absent. */
  Long sequenceNr(String name) {
    String raw = params.get(name);
    if (raw == null) {
      return null;
    }
    try {
      long value = Long.parseLong(raw);
      if (value >= 0) {
        return value;
      }
    } catch (NumberFormatException e) {
      // falls through to the problem below
    }
    throw ProblemException.badRequest(name + " must be a sequence number (a whole number of 0 or more), got " + quoted(raw));
  }

  /** One of {@code allowed}, or {@code absent} when the parameter is not given. */
  String oneOf(String name, List<String> allowed, String absent) {
    String raw = params.get(name);
    if (raw == null) {
      return absent;
    }
    if (!allowed.contains(raw)) {
      throw ProblemException.badRequest(name + " must be one of " + String.join(", ", allowed) + ", got " + quoted(raw));
    }
    return raw;
  }

  /** The raw value of a parameter checked by its caller; null when absent. */
  String raw(String name) {
    return params.get(name);
  }

  /** An optional metric, spec or event name. */
  String name(String name) {
    String raw = params.get(name);
    if (raw != null && !Identifiers.isName(raw)) {
      throw ProblemException.badRequest(name + " must be " + Identifiers.NAME_RULE + ", got " + quoted(raw));
    }
    return raw;
  }

  private static int integer(String name, String raw) {
    try {
      return Integer.parseInt(raw);
    } catch (NumberFormatException e) {
      throw ProblemException.badRequest(name + " must be a whole number, got " + quoted(raw));
    }
  }

  private static String quoted(String raw) {
    return '"' + (raw.length() > 80 ? raw.substring(0, 80) + "…" : raw) + '"';
  }
}
