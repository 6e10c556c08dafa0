package io.tidewatch.protocol;

import java.util.Map;

/** One window and one metric, as the HTTP API shows it (DESIGN §4). {@code metric} is null for a window of events only. */
public record WindowView(
    String spec,
    String metric,
    long start,
    long end,
    long count,
    double sum,
    double min,
    double max,
    double mean,
    double stddev,
    Map<String, Long> events)
    implements CborSerializable {

  public WindowView {
    events = Map.copyOf(events);
  }
}
