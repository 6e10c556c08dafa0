package io.tidewatch.persistence.anomaly;

import java.util.ArrayList;
import java.util.List;

/** The anomaly rules of one entity type, applied to one value of one metric at a time. */
public record AnomalyRules(List<AnomalyRule> rules) {

  public AnomalyRules {
    rules = List.copyOf(rules);
  }

  /** How many past values the z-score rules need for this metric (0 if none applies). */
  public int historyFor(String metric) {
    int capacity = 0;
    for (AnomalyRule rule : rules) {
      if (rule instanceof AnomalyRule.ZScore z && z.appliesTo(metric)) {
        capacity = Math.max(capacity, z.window());
      }
    }
    return capacity;
  }

  /** The rules that {@code value} breaks, judged against what came before it; does not record it. */
  public List<AnomalyHit> check(String metric, double value, MetricHistory history) {
    List<AnomalyHit> hits = List.of();
    for (AnomalyRule rule : rules) {
      if (!rule.appliesTo(metric)) {
        continue;
      }
      AnomalyHit hit = check(rule, metric, value, history);
      if (hit != null) {
        if (hits.isEmpty()) {
          hits = new ArrayList<>(2);
        }
        hits.add(hit);
      }
    }
    return hits;
  }

  private static AnomalyHit check(AnomalyRule rule, String metric, double value, MetricHistory history) {
    if (rule instanceof AnomalyRule.Delta delta) {
      if (history != null && history.hasPrevious() && Math.abs(value - history.previous()) > delta.threshold()) {
        return new AnomalyHit("delta", metric, value, history.previous(), delta.threshold());
      }
    } else if (rule instanceof AnomalyRule.ZScore z) {
      double[] window = history == null ? new double[0] : history.last(z.window());
      if (window.length >= z.minSamples()) {
        double mean = 0;
        for (double v : window) {
          mean += v;
        }
        mean /= window.length;
        double squares = 0;
        for (double v : window) {
          squares += (v - mean) * (v - mean);
        }
        double stddev = Math.sqrt(squares / window.length);
        // A flat history has no spread to measure against: no z-score, no alert.
        if (stddev > 0 && Math.abs(value - mean) / stddev > z.k()) {
          return new AnomalyHit("zscore", metric, value, mean, z.k());
        }
      }
    } else if (rule instanceof AnomalyRule.Range range) {
      if (value < range.min()) {
        return new AnomalyHit("range", metric, value, Double.NaN, range.min());
      }
      if (value > range.max()) {
        return new AnomalyHit("range", metric, value, Double.NaN, range.max());
      }
    }
    return null;
  }
}
