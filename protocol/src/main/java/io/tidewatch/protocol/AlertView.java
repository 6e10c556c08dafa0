package io.tidewatch.protocol;

import java.util.Map;

/**
 * One alert as the HTTP API and the alerts topic show it (DESIGN §4).
 *
 * @param attribution for an {@code rcf} alert, each metric's share of the anomaly score; null for other rules
 * @param model for an {@code onnx} alert, the content hash of the model that scored it ({@code sha256:<hex>})
 * @param configVersion the version of the type's configuration whose rule fired; null for alerts raised before
 *     versions (the first)
 */
public record AlertView(
    String alertId,
    String entityType,
    String entityId,
    String rule,
    String metric,
    double value,
    Double previous,
    double threshold,
    long ts,
    long detectedAt,
    Severity severity,
    Map<String, Double> attribution,
    String model,
    Integer configVersion)
    implements CborSerializable {

  public AlertView(String alertId, String entityType, String entityId, String rule, String metric, double value,
      Double previous, double threshold, long ts, long detectedAt, Severity severity, Map<String, Double> attribution,
      String model) {
    this(alertId, entityType, entityId, rule, metric, value, previous, threshold, ts, detectedAt, severity, attribution,
        model, null);
  }

  public AlertView(String alertId, String entityType, String entityId, String rule, String metric, double value,
      Double previous, double threshold, long ts, long detectedAt, Severity severity) {
    this(alertId, entityType, entityId, rule, metric, value, previous, threshold, ts, detectedAt, severity, null, null);
  }

  public AlertView(String alertId, String entityType, String entityId, String rule, String metric, double value,
      Double previous, double threshold, long ts, long detectedAt, Severity severity,
      Map<String, Double> attribution) {
    this(alertId, entityType, entityId, rule, metric, value, previous, threshold, ts, detectedAt, severity, attribution,
        null);
  }

  public static AlertView of(String entityType, String entityId, EntityProtocol.AnomalyDetected a) {
    return new AlertView(
        a.alertId(), entityType, entityId, a.rule(), a.metric(), a.value(), a.previous(), a.threshold(), a.ts(),
        a.detectedAt(), a.severity(), a.attribution(), a.model(), a.configVersion());
  }
}
