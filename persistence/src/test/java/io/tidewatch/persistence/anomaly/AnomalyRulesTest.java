package io.tidewatch.persistence.anomaly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class AnomalyRulesTest {

  private static MetricHistory history(int capacity, double... values) {
    MetricHistory history = new MetricHistory(capacity);
    for (double v : values) {
      history.record(v);
    }
    return history;
  }

  @Test
  void deltaFiresOnlyWhenTheJumpExceedsTheThreshold() {
    AnomalyRules rules = new AnomalyRules(List.of(new AnomalyRule.Delta(List.of("*"), 5.0)));
    assertTrue(rules.check("t", 25.0, history(0, 20.0)).isEmpty(), "exactly the threshold is no anomaly");
    assertEquals(
        List.of(new AnomalyHit("delta", "t", 25.5, 20.0, 5.0)), rules.check("t", 25.5, history(0, 20.0)));
    assertEquals(1, rules.check("t", 14.0, history(0, 20.0)).size(), "a drop counts too");
    assertTrue(rules.check("t", 99.0, null).isEmpty(), "no previous value, no delta");
  }

  @Test
  void zscoreWaitsForItsMinimumSamplesAndComparesWithThePastWindowOnly() {
    AnomalyRules rules = new AnomalyRules(List.of(new AnomalyRule.ZScore(List.of("t"), 3.0, 4, 4)));
    MetricHistory three = history(4, 10, 12, 10);
    assertTrue(rules.check("t", 100, three).isEmpty(), "three samples are fewer than the minimum of four");

    MetricHistory window = history(4, 0, 10, 12, 10, 12); // the ring keeps 10, 12, 10, 12: mean 11, stddev 1
    assertTrue(rules.check("t", 14.0, window).isEmpty(), "z = 3 is not above k = 3");
    assertEquals(List.of(new AnomalyHit("zscore", "t", 14.5, 11.0, 3.0)), rules.check("t", 14.5, window));
    assertTrue(rules.check("other", 1e9, window).isEmpty(), "the rule watches metric t only");
  }

  @Test
  void zscoreIgnoresAFlatHistory() {
    AnomalyRules rules = new AnomalyRules(List.of(new AnomalyRule.ZScore(List.of("*"), 4.0, 5, 2)));
    assertTrue(rules.check("t", 50, history(5, 20, 20, 20)).isEmpty());
  }

  @Test
  void rangeFiresOutsideItsBoundsWithTheBoundAsThreshold() {
    AnomalyRules rules = new AnomalyRules(List.of(new AnomalyRule.Range(List.of("*"), -10, 40)));
    assertTrue(rules.check("t", 40, null).isEmpty());
    assertEquals(40.0, rules.check("t", 40.1, null).get(0).threshold());
    assertEquals(-10.0, rules.check("t", -11, null).get(0).threshold());
  }

  @Test
  void historyKeepsOnlyItsCapacity() {
    MetricHistory h = history(3, 1, 2, 3, 4, 5);
    assertEquals(5.0, h.previous());
    assertEquals(List.of(3.0, 4.0, 5.0), java.util.Arrays.stream(h.last(10)).boxed().toList());
    MetricHistory restored = MetricHistory.restore(h.snapshot());
    assertEquals(List.of(4.0, 5.0), java.util.Arrays.stream(restored.last(2)).boxed().toList());
  }

  @Test
  void historyGrowsToItsCapacityKeepingArrivalOrder() {
    MetricHistory h = new MetricHistory(60);
    for (int i = 1; i <= 100; i++) {
      h.record(i);
      double[] last = h.last(60);
      assertEquals(Math.min(i, 60), last.length);
      assertEquals(i, last[last.length - 1], "newest last after " + i + " values");
      assertEquals(Math.max(1, i - 59), last[0], "oldest first after " + i + " values");
    }
  }
}
