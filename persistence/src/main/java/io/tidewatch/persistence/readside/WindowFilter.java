package io.tidewatch.persistence.readside;

import io.tidewatch.protocol.WindowView;

/**
 * Which closed windows a query wants (DESIGN §4): null matches everything; {@code from}/{@code to} bound the window
 * start, [from, to).
 */
public record WindowFilter(String spec, String metric, Long from, Long to) {

  public static final WindowFilter ALL = new WindowFilter(null, null, null, null);

  public boolean matches(WindowView w) {
    return (spec == null || spec.equals(w.spec()))
        && (metric == null || metric.equals(w.metric()))
        && (from == null || w.start() >= from)
        && (to == null || w.start() < to);
  }

  /**
   * True if neither this window nor any served after it (ending no later) can match: a window starts before it
   * ends, so one that ends at or before {@code from} starts before it.
   */
  public boolean pastTheOldest(WindowView w) {
    return from != null && w.end() <= from;
  }
}
