package io.tidewatch.protocol;

/** One alert as the HTTP API and the alerts topic show it (DESIGN §4). */
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
    Severity severity)
    implements CborSerializable {

  public static AlertView of(String entityType, String entityId, EntityProtocol.AnomalyDetected a) {
    return new AlertView(
        a.alertId(), entityType, entityId, a.rule(), a.metric(), a.value(), a.previous(), a.threshold(), a.ts(),
        a.detectedAt(), a.severity());
  }
}
