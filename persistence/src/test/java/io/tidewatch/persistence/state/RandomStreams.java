package io.tidewatch.persistence.state;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.LongFunction;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;

/**
 * Seeded random cases for property tests: each case is a named dynamic test, so a failure names the seed that
 * reproduces it.
 */
final class RandomStreams {

  private RandomStreams() {}

  /** {@code count} dynamic tests, case {@code i} run with a {@link Random} seeded with {@code i}. */
  static Stream<DynamicTest> cases(int count, String name, LongFunction<Case> body) {
    return LongStream.range(0, count)
        .mapToObj(seed -> DynamicTest.dynamicTest(name + " [seed " + seed + "]", () -> body.apply(seed).run()));
  }

  /** One case's body. */
  @FunctionalInterface
  interface Case {
    void run() throws Exception;
  }

  /**
   * Event times in arrival order: a clock that moves forward by up to {@code maxForward} whole seconds, and now
   * and then a reading from up to {@code maxBack} seconds before it (out of order, some very late). Whole seconds
   * make readings land exactly on window ends and watermarks often.
   */
  static List<Long> times(Random random, long t0, int maxCount, int maxBack, int maxForward) {
    int n = 1 + random.nextInt(maxCount);
    List<Long> times = new ArrayList<>(n);
    long clock = t0;
    for (int i = 0; i < n; i++) {
      int step = random.nextInt(maxBack + maxForward + 1) - maxBack;
      times.add(step >= 0 ? (clock += step * 1_000L) : Math.max(0, clock + step * 1_000L));
    }
    return times;
  }

  /** Splits {@code items} into consecutive batches of random sizes from 1 to {@code maxBatch}. */
  static <T> List<List<T>> batches(Random random, List<T> items, int maxBatch) {
    List<List<T>> batches = new ArrayList<>();
    for (int i = 0; i < items.size(); ) {
      int size = 1 + random.nextInt(maxBatch);
      batches.add(items.subList(i, Math.min(items.size(), i + size)));
      i += size;
    }
    return batches;
  }
}
