package io.tidewatch.persistence.readside;

import io.tidewatch.protocol.WindowView;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Comparator;

/**
 * A position among one entity's closed windows in the order the read side serves them (the {@code entity_windows}
 * clustering order): newest end first, then spec, start and metric, each descending. The {@code next} cursor of
 * the windows list is the position of the page's last item, written opaquely (base64url).
 *
 * @param metric "" for a window of events only
 */
public record WindowCursor(long end, String spec, long start, String metric) {

  /** The serving order, newest first; "less" means served earlier. */
  public static final Comparator<WindowCursor> NEWEST_FIRST =
      Comparator.comparingLong(WindowCursor::end)
          .thenComparing(WindowCursor::spec)
          .thenComparingLong(WindowCursor::start)
          .thenComparing(WindowCursor::metric)
          .reversed();

  public static WindowCursor of(WindowView w) {
    return new WindowCursor(w.end(), w.spec(), w.start(), w.metric() == null ? "" : w.metric());
  }

  /** Parses the written form; anything else is an {@link IllegalArgumentException}. */
  public static WindowCursor parse(String text) {
    String[] parts;
    try {
      parts = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8).split("\\|", -1);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not a window position", e);
    }
    if (parts.length != 4) {
      throw new IllegalArgumentException("not a window position");
    }
    try {
      return new WindowCursor(Long.parseLong(parts[0]), parts[1], Long.parseLong(parts[2]), parts[3]);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a window position", e);
    }
  }

  /** Spec ids and metric names are {@code [A-Za-z0-9._:-]}: a bar never occurs in them. */
  @Override
  public String toString() {
    String plain = end + "|" + spec + "|" + start + "|" + metric;
    return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
  }
}
