package io.tidewatch.persistence.window;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tidewatch.protocol.MetricAggregate;
import org.junit.jupiter.api.Test;

class RunningStatsTest {

  @Test
  void aggregatesMatchTheTextbookFormulas() {
    RunningStats stats = new RunningStats();
    for (double v : new double[] {2, 4, 4, 4, 5, 5, 7, 9}) {
      stats.add(v);
    }
    MetricAggregate a = stats.toAggregate();
    assertEquals(8, a.count());
    assertEquals(40, a.sum(), 1e-12);
    assertEquals(2, a.min());
    assertEquals(9, a.max());
    assertEquals(5, a.mean(), 1e-12);
    assertEquals(2, a.stddev(), 1e-12, "population standard deviation");
  }

  @Test
  void staysAccurateForLargeValuesWithSmallSpread() {
    RunningStats stats = new RunningStats();
    for (int i = 0; i < 1000; i++) {
      stats.add(1e9 + (i % 2 == 0 ? 1 : -1));
    }
    assertEquals(1.0, stats.toAggregate().stddev(), 1e-6);
  }
}
