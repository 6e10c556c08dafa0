package io.tidewatch.persistence.pipeline;

import io.tidewatch.persistence.anomaly.AnomalyRule;
import java.util.List;

/** How one unit conversion of one metric changes the thresholds of a rule (see {@link Pipeline#convertThresholds}). */
final class ThresholdConversion {

  private ThresholdConversion() {}

  static List<AnomalyRule> convert(AnomalyRule rule, String metric, Units.Conversion c) {
    if (!rule.metrics().contains(metric) || !(rule instanceof AnomalyRule.Delta || rule instanceof AnomalyRule.Range)) {
      return List.of(rule);
    }
    List<String> others = rule.metrics().stream().filter(m -> !m.equals(metric)).toList();
    AnomalyRule converted;
    AnomalyRule rest = null;
    if (rule instanceof AnomalyRule.Delta d) {
      // A delta is a difference of two values: the offset cancels out.
      converted = new AnomalyRule.Delta(List.of(metric), d.threshold() * c.scale(), d.severity());
      rest = others.isEmpty() ? null : new AnomalyRule.Delta(others, d.threshold(), d.severity());
    } else {
      AnomalyRule.Range r = (AnomalyRule.Range) rule;
      converted = new AnomalyRule.Range(List.of(metric), c.apply(r.min()), c.apply(r.max()), r.severity());
      rest = others.isEmpty() ? null : new AnomalyRule.Range(others, r.min(), r.max(), r.severity());
    }
    return rest == null ? List.of(converted) : List.of(converted, rest);
  }
}
