package io.tidewatch.persistence.anomaly;

import io.tidewatch.protocol.Severity;

/**
 * One rule that fired for one value.
 *
 * @param previous the value compared with: the previous value (delta), the mean of the window (zscore), or NaN
 * @param threshold the threshold that was exceeded: the delta, k, or the bound (range)
 * @param severity how far past the threshold the value went, by the rule's bands
 */
public record AnomalyHit(
    String rule, String metric, double value, double previous, double threshold, Severity severity) {}
