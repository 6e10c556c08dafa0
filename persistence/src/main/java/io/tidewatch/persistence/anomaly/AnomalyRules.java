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
        double ratio = Math.abs(value - history.previous()) / delta.threshold();
        return new AnomalyHit("delta", metric, value, history.previous(), delta.threshold(), delta.severity().of(ratio));
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
        double score = stddev > 0 ? Math.abs(value - mean) / stddev : 0;
        if (score > z.k()) {
          return new AnomalyHit("zscore", metric, value, mean, z.k(), z.severity().of(score / z.k()));
        }
      }
    } else if (rule instanceof AnomalyRule.Range range) {
      if (value < range.min() || value > range.max()) {
        double bound = value < range.min() ? range.min() : range.max();
        return new AnomalyHit("range", metric, value, Double.NaN, bound, range.severity().of(rangeRatio(range, value, bound)));
      }
    }
    return null;
  }

  /**
   * 1 + the excess over the bound relative to the range's width; with one bound open, relative to the bound's size
   * (a bound of 0 leaves nothing to compare with: a warning).
   */
  private static double rangeRatio(AnomalyRule.Range range, double value, double bound) {
    double excess = Math.abs(value - bound);
    double width = range.max() - range.min();
    double scale = Double.isFinite(width) ? width : Math.abs(bound);
    return scale > 0 ? 1 + excess / scale : 1;
  }
}
