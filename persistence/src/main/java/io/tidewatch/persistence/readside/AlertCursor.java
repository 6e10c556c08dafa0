package io.tidewatch.persistence.readside;

import io.tidewatch.protocol.Identifiers;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A position among alerts ordered by a time, then alert id, written {@code <time>.<alertId>}: across all entities
 * the time is the detection time (the {@code next} cursor of {@code /alerts} and the SSE event id); among one
 * entity's alerts it is their event time.
 */
public record AlertCursor(long time, String alertId) implements Comparable<AlertCursor> {

  private static final Pattern FORM = Pattern.compile("([0-9]{1,19})\\.(" + Identifiers.CHARS + "{1,160})");

  /** Parses the written form; empty input and anything else is an {@link IllegalArgumentException}. */
  public static AlertCursor parse(String text) {
    Matcher m = FORM.matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException("not an alert position: expected <time>.<alertId>");
    }
    try {
      return new AlertCursor(Long.parseLong(m.group(1)), m.group(2));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not an alert position: time out of range", e);
    }
  }

  @Override
  public String toString() {
    return time + "." + alertId;
  }

  @Override
  public int compareTo(AlertCursor other) {
    int byTime = Long.compare(time, other.time);
    return byTime != 0 ? byTime : alertId.compareTo(other.alertId);
  }
}
