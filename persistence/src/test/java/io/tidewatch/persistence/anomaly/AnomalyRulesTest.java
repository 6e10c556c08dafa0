package io.tidewatch.persistence.anomaly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.tidewatch.protocol.Severity;
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
        List.of(new AnomalyHit("delta", "t", 25.5, 20.0, 5.0, Severity.WARNING)), rules.check("t", 25.5, history(0, 20.0)));
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
    assertEquals(List.of(new AnomalyHit("zscore", "t", 14.5, 11.0, 3.0, Severity.WARNING)), rules.check("t", 14.5, window));
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
  void aHitIsGradedByHowFarPastTheThresholdItWentWithTheDefaultBands() {
    AnomalyRules delta = new AnomalyRules(List.of(new AnomalyRule.Delta(List.of("*"), 5.0)));
    assertEquals(Severity.WARNING, delta.check("t", 27.4, history(0, 20.0)).get(0).severity(), "|Δ| 7.4 < 1.5 × 5");
    assertEquals(Severity.ERROR, delta.check("t", 27.5, history(0, 20.0)).get(0).severity(), "|Δ| 7.5 = 1.5 × 5");
    assertEquals(Severity.CRITICAL, delta.check("t", 10.0, history(0, 20.0)).get(0).severity(), "|Δ| 10 = 2 × 5");

    AnomalyRules zscore = new AnomalyRules(List.of(new AnomalyRule.ZScore(List.of("t"), 3.0, 4, 4)));
    MetricHistory window = history(4, 10, 12, 10, 12); // mean 11, stddev 1
    assertEquals(Severity.WARNING, zscore.check("t", 15.0, window).get(0).severity(), "z 4 < 4.5");
    assertEquals(Severity.ERROR, zscore.check("t", 16.0, window).get(0).severity(), "z 5 >= 4.5");
    assertEquals(Severity.CRITICAL, zscore.check("t", 5.0, window).get(0).severity(), "z 6 >= 6");

    AnomalyRules range = new AnomalyRules(List.of(new AnomalyRule.Range(List.of("*"), 0, 40)));
    assertEquals(Severity.WARNING, range.check("t", 50, null).get(0).severity(), "1 + 10/40 < 1.5");
    assertEquals(Severity.ERROR, range.check("t", -20, null).get(0).severity(), "1 + 20/40 = 1.5");
    assertEquals(Severity.CRITICAL, range.check("t", 80, null).get(0).severity(), "1 + 40/40 = 2");
  }

  @Test
  void bandsComeFromTheRulesConfigurationAndMustBeOrdered() {
    AnomalyRule rule = AnomalyRule.fromConfig("sensor", ConfigFactory.parseString(
        "rule = delta, threshold = 5.0, severity { error = 3, critical = 4 }"));
    AnomalyRules rules = new AnomalyRules(List.of(rule));
    assertEquals(Severity.WARNING, rules.check("t", 34.0, history(0, 20.0)).get(0).severity(), "|Δ| 14 < 3 × 5");
    assertEquals(Severity.ERROR, rules.check("t", 35.0, history(0, 20.0)).get(0).severity());
    assertEquals(Severity.CRITICAL, rules.check("t", 40.0, history(0, 20.0)).get(0).severity());
    assertEquals(new SeverityBands(1.5, 3.0), AnomalyRule.fromConfig("sensor",
        ConfigFactory.parseString("rule = range, max = 1, severity.critical = 3")).severity());

    IllegalArgumentException unordered = assertThrows(IllegalArgumentException.class, () -> AnomalyRule.fromConfig(
        "sensor", ConfigFactory.parseString("rule = delta, threshold = 1, severity { error = 3, critical = 2 }")));
    assertEquals("severity bands need 1 < error <= critical, got error = 3.0, critical = 2.0", unordered.getMessage());
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
