package io.tidewatch.persistence.state;

import static io.tidewatch.protocol.EntityProtocol.DEFAULT_TOPIC;
import static io.tidewatch.persistence.state.Readings.MINUTE_WINDOWS;
import static io.tidewatch.persistence.state.Readings.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tidewatch.protocol.EntityProtocol.Event;
import io.tidewatch.protocol.EntityProtocol.SourcedReading;
import io.tidewatch.protocol.EntityProtocol.WindowClosed;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Compares the entity's windows with a deliberately naive, declarative reference of DESIGN §3 on random streams
 * with disorder and very late readings, fed in random batches.
 */
class TumblingWindowsProperties {

  private static final long SIZE = 60_000;
  private static final long LATENESS = MINUTE_WINDOWS.allowedLatenessMs();

  /** The reference: window w closes at the first reading whose running max − lateness reaches w's end. */
  private record Expected(Map<Long, long[]> closedCountAndSum, long late) {}

  private static Expected reference(List<SourcedReading> stream) {
    int n = stream.size();
    long[] watermarkAfter = new long[n];
    long max = Long.MIN_VALUE;
    for (int i = 0; i < n; i++) {
      max = Math.max(max, stream.get(i).ts());
      watermarkAfter[i] = max - LATENESS;
    }
    Map<Long, Integer> closeIndex = new HashMap<>();
    for (SourcedReading r : stream) {
      long start = Math.floorDiv(r.ts(), SIZE) * SIZE;
      for (int i = 0; i < n && !closeIndex.containsKey(start); i++) {
        if (watermarkAfter[i] >= start + SIZE) {
          closeIndex.put(start, i);
        }
      }
    }
    Map<Long, long[]> closed = new TreeMap<>();
    long late = 0;
    for (int j = 0; j < n; j++) {
      long start = Math.floorDiv(stream.get(j).ts(), SIZE) * SIZE;
      Integer close = closeIndex.get(start);
      if (close != null && close < j) {
        late++;
      } else if (close != null) {
        long[] countAndSum = closed.computeIfAbsent(start, s -> new long[2]);
        countAndSum[0]++;
        countAndSum[1] += (long) (double) stream.get(j).metrics().get("temperature");
      }
    }
    return new Expected(closed, late);
  }

  @TestFactory
  Stream<DynamicTest> closedWindowsAndLateCountsMatchTheReference() {
    return RandomStreams.cases(300, "tumbling", seed -> () -> check(new Random(seed)));
  }

  private static void check(Random random) {
    // Mostly forward, some out of order, some very late (up to 100 s back with 60 s windows).
    List<Long> times = RandomStreams.times(random, T0, 150, 100, 4);
    List<SourcedReading> stream = new ArrayList<>();
    for (int i = 0; i < times.size(); i++) {
      stream.add(Readings.reading(i, times.get(i), i % 50));
    }

    EntityState state = new EntityState(MINUTE_WINDOWS, "sensor-00001");
    Map<Long, long[]> actual = new TreeMap<>();
    for (List<SourcedReading> batch : RandomStreams.batches(random, stream, 40)) {
      for (Event event : RecordPlan.record(state, DEFAULT_TOPIC, batch, 0, 0).events()) {
        if (event instanceof WindowClosed closed) {
          assertEquals(false, actual.containsKey(closed.start()), "a window closes once");
          actual.put(closed.start(), new long[] {closed.count(), (long) closed.metrics().get("temperature").sum()});
        }
      }
    }

    Expected expected = reference(stream);
    assertEquals(describe(expected.closedCountAndSum()), describe(actual));
    assertEquals(expected.late(), state.lateReadings());
    assertEquals(stream.size(), state.readings());
  }

  private static String describe(Map<Long, long[]> windows) {
    StringBuilder s = new StringBuilder();
    windows.forEach((start, cs) -> s.append(start).append(':').append(cs[0]).append('/').append(cs[1]).append(' '));
    return s.toString();
  }
}
