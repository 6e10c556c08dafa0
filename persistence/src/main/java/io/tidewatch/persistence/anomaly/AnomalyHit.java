package io.tidewatch.persistence.anomaly;

import io.tidewatch.protocol.Severity;
import java.util.Map;

/**
 * One rule that fired for one value.
 *
 * @param previous the value compared with: the previous value (delta), the mean of the window (zscore), or NaN
 * @param threshold the threshold that was exceeded: the delta, k, the bound (range), or the score (rcf)
 * @param severity how far past the threshold the value went, by the rule's bands
 * @param attribution rcf: each metric's share of the anomaly score (they sum to it); null for the other rules
 * @param model onnx: the content hash of the model that scored it ({@code sha256:<hex>}); null for the other rules
 */
public record AnomalyHit(
    String rule,
    String metric,
    double value,
    double previous,
    double threshold,
    Severity severity,
    Map<String, Double> attribution,
    String model) {

  public AnomalyHit(String rule, String metric, double value, double previous, double threshold, Severity severity) {
    this(rule, metric, value, previous, threshold, severity, null, null);
  }

  public AnomalyHit(String rule, String metric, double value, double previous, double threshold, Severity severity,
      Map<String, Double> attribution) {
    this(rule, metric, value, previous, threshold, severity, attribution, null);
  }
}
