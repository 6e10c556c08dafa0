package io.tidewatch.persistence.anomaly;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The anomaly rules of one entity type, applied to one value of one metric at a time, and when the incidents their
 * hits open resolve. The rcf rules judge a reading's metric set at once, with the entity's forests
 * ({@link RcfForests}), and the onnx rules with their models ({@link #score}): {@link #check} and {@link #ratio}
 * leave both out.
 */
public record AnomalyRules(List<AnomalyRule> rules, IncidentPolicy incidents) {

  public AnomalyRules {
    rules = List.copyOf(rules);
  }

  public AnomalyRules(List<AnomalyRule> rules) {
    this(rules, IncidentPolicy.DEFAULT);
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

  /** True if some rule called {@code name} ({@code delta}, {@code zscore}, ...) watches {@code metric}. */
  public boolean has(String name, String metric) {
    for (AnomalyRule rule : rules) {
      if (rule.name().equals(name) && rule.appliesTo(metric)) {
        return true;
      }
    }
    return false;
  }

  /** True if some rule is an rcf rule: the type's entities keep forests. */
  public boolean learns() {
    for (AnomalyRule rule : rules) {
      if (rule instanceof AnomalyRule.Rcf) {
        return true;
      }
    }
    return false;
  }

  /** True if some rule is an onnx rule: the type's readings are scored by a model. */
  public boolean scores() {
    for (AnomalyRule rule : rules) {
      if (rule instanceof AnomalyRule.Onnx) {
        return true;
      }
    }
    return false;
  }

  /**
   * The onnx hits of one reading: each onnx rule whose metrics the reading all has scores it with its model, and
   * fires above its threshold. The hit's metric is the rule's first metric.
   */
  public List<AnomalyHit> score(Map<String, Double> reading) {
    List<AnomalyHit> hits = List.of();
    for (AnomalyRule rule : rules) {
      if (rule instanceof AnomalyRule.Onnx onnx) {
        double score = onnx.score(reading);
        if (score > onnx.threshold()) {
          String metric = onnx.metrics().get(0);
          if (hits.isEmpty()) {
            hits = new ArrayList<>(1);
          }
          hits.add(new AnomalyHit(AnomalyRule.Onnx.NAME, metric, reading.get(metric), Double.NaN, onnx.threshold(),
              onnx.severity().of(score / onnx.threshold()), null, onnx.session().hash()));
        }
      }
    }
    return hits;
  }

  /**
   * The ratio of an onnx incident on {@code metric}: score / threshold of the reading by the furthest of the onnx
   * rules whose first metric it is; NaN if none scored it.
   */
  public double scoreRatio(String metric, Map<String, Double> reading) {
    double furthest = Double.NaN;
    for (AnomalyRule rule : rules) {
      if (rule instanceof AnomalyRule.Onnx onnx && onnx.metrics().get(0).equals(metric)) {
        double ratio = onnx.score(reading) / onnx.threshold();
        if (!Double.isNaN(ratio) && !(ratio <= furthest)) {
          furthest = ratio;
        }
      }
    }
    return furthest;
  }

  /**
   * True if some rule other than rcf and onnx watches {@code metric}: the entity keeps a {@link MetricHistory} of
   * it.
   */
  public boolean remembers(String metric) {
    for (AnomalyRule rule : rules) {
      if (!(rule instanceof AnomalyRule.Rcf || rule instanceof AnomalyRule.Onnx) && rule.appliesTo(metric)) {
        return true;
      }
    }
    return false;
  }

  /** The rules that {@code value} breaks, judged against what came before it; does not record it. */
  public List<AnomalyHit> check(String metric, double value, MetricHistory history) {
    List<AnomalyHit> hits = List.of();
    for (AnomalyRule rule : rules) {
      if (rule instanceof AnomalyRule.Rcf || rule instanceof AnomalyRule.Onnx || !rule.appliesTo(metric)) {
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

  /**
   * How far past rule {@code name} (the rules of that name for this metric, the furthest) {@code value} is, judged
   * against what came before it: the ratio its severity bands grade, above 1 for a hit. NaN if no rule of that name
   * can judge it yet (no previous value, too few samples), and for rcf, whose ratio is its forests' score
   * ({@link RcfForests#ratio}), and onnx, which judges whole readings ({@link #scoreRatio}). Whether an open incident is in its recovery band.
   */
  public double ratio(String name, String metric, double value, MetricHistory history) {
    double furthest = Double.NaN;
    for (AnomalyRule rule : rules) {
      if (rule.name().equals(name) && rule.appliesTo(metric)
          && !(rule instanceof AnomalyRule.Rcf || rule instanceof AnomalyRule.Onnx)) {
        double ratio = ratio(rule, value, history);
        if (!Double.isNaN(ratio) && !(ratio <= furthest)) { // any number beats NaN
          furthest = ratio;
        }
      }
    }
    return furthest;
  }

  private static AnomalyHit check(AnomalyRule rule, String metric, double value, MetricHistory history) {
    double ratio = ratio(rule, value, history);
    boolean hit = rule instanceof AnomalyRule.Range r ? value < r.min() || value > r.max() : ratio > 1;
    if (!hit) {
      return null;
    }
    if (rule instanceof AnomalyRule.Delta delta) {
      return new AnomalyHit("delta", metric, value, history.previous(), delta.threshold(), delta.severity().of(ratio));
    } else if (rule instanceof AnomalyRule.ZScore z) {
      return new AnomalyHit("zscore", metric, value, mean(history.last(z.window())), z.k(), z.severity().of(ratio));
    }
    AnomalyRule.Range range = (AnomalyRule.Range) rule;
    double bound = value < range.min() ? range.min() : range.max();
    return new AnomalyHit("range", metric, value, Double.NaN, bound, range.severity().of(ratio));
  }

  /**
   * The one measure of every rule: |Δ| / threshold, |z| / k, and for range 1 + the distance past the nearest bound
   * relative to the range's width (below 1 inside, by the distance to it); NaN if the rule cannot judge yet.
   */
  private static double ratio(AnomalyRule rule, double value, MetricHistory history) {
    if (rule instanceof AnomalyRule.Delta delta) {
      return history != null && history.hasPrevious()
          ? Math.abs(value - history.previous()) / delta.threshold()
          : Double.NaN;
    } else if (rule instanceof AnomalyRule.ZScore z) {
      double[] window = history == null ? new double[0] : history.last(z.window());
      if (window.length < z.minSamples()) {
        return Double.NaN;
      }
      double mean = mean(window);
      double squares = 0;
      for (double v : window) {
        squares += (v - mean) * (v - mean);
      }
      double stddev = Math.sqrt(squares / window.length);
      // A flat history has no spread to measure against: no z-score, no alert.
      double score = stddev > 0 ? Math.abs(value - mean) / stddev : 0;
      return score / z.k();
    }
    AnomalyRule.Range range = (AnomalyRule.Range) rule;
    boolean outside = value < range.min() || value > range.max();
    double bound = Math.abs(value - range.min()) <= Math.abs(value - range.max()) ? range.min() : range.max();
    if (outside) {
      bound = value < range.min() ? range.min() : range.max();
    }
    return rangeRatio(range, value, bound, outside);
  }

  private static double mean(double[] values) {
    double sum = 0;
    for (double v : values) {
      sum += v;
    }
    return sum / values.length;
  }

  /**
   * 1 + the excess over the bound relative to the range's width; with one bound open, relative to the bound's size
   * (a bound of 0 leaves nothing to compare with: a warning). Inside, 1 − the distance to the nearest bound on the
   * same scale (0 with nothing to compare with: deep inside).
   */
  private static double rangeRatio(AnomalyRule.Range range, double value, double bound, boolean outside) {
    double distance = Math.abs(value - bound);
    double width = range.max() - range.min();
    double scale = Double.isFinite(width) ? width : Math.abs(bound);
    if (!outside) {
      return scale > 0 && Double.isFinite(bound) ? Math.max(0, 1 - distance / scale) : 0;
    }
    return scale > 0 ? 1 + distance / scale : 1;
  }
}
