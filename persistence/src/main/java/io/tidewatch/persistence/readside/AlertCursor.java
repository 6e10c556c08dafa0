package io.tidewatch.persistence.readside;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A position in the stream of all alerts, ordered by detection time then alert id: the {@code next} cursor of the
 * alerts list and the SSE event id, written {@code <detectedAt>.<alertId>}.
 */
public record AlertCursor(long detectedAt, String alertId) implements Comparable<AlertCursor> {

  private static final Pattern FORM = Pattern.compile("([0-9]{1,19})\\.([A-Za-z0-9._:-]{1,160})");

  /** Parses the written form; empty input and anything else is an {@link IllegalArgumentException}. */
  public static AlertCursor parse(String text) {
    Matcher m = FORM.matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException("not an alert position: expected <detectedAt>.<alertId>");
    }
    try {
      return new AlertCursor(Long.parseLong(m.group(1)), m.group(2));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not an alert position: detection time out of range", e);
    }
  }

  @Override
  public String toString() {
    return detectedAt + "." + alertId;
  }

  @Override
  public int compareTo(AlertCursor other) {
    int byTime = Long.compare(detectedAt, other.detectedAt);
    return byTime != 0 ? byTime : alertId.compareTo(other.alertId);
  }
}
