package io.tidewatch.persistence.state;

import io.tidewatch.persistence.window.WindowSpec;
import io.tidewatch.protocol.EntityProtocol.SourcedReading;
import java.util.List;
import java.util.Map;

/** Test data: readings of one temperature metric on partition 0, and a sensor type with one minute windows. */
final class Readings {

  static final long T0 = 1_700_000_040_000L; // a minute boundary

  static final EntityTypeConfig MINUTE_WINDOWS =
      EntityTypeConfig.of("sensor", List.of(WindowSpec.tumbling(60_000)), 5_000);

  private Readings() {}

  static SourcedReading reading(long offset, long ts, double temperature) {
    return new SourcedReading(ts, Map.of("temperature", temperature), null, Map.of(), 0, offset);
  }
}
