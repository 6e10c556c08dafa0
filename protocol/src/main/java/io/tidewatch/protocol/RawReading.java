package io.tidewatch.protocol;

import java.util.Map;

/**
 * A reading as its wire format decoded it, before any rule was checked: what a JSON and a protobuf reading have in
 * common, so that one set of rules ({@link ReadingRules}) judges both alike. A null field was absent; the maps keep
 * the order the record gave, so that the first bad metric named is the same whichever way the record was read.
 *
 * @param ts event time, epoch milliseconds; null when the record has none
 */
record RawReading(
    String entityType,
    String entityId,
    Long ts,
    Map<String, Double> metrics,
    String event,
    Map<String, String> attrs) {}
