package io.tidewatch.protocol;

/** Final aggregates of one metric over one window; {@code stddev} is the population standard deviation. */
public record MetricAggregate(long count, double sum, double min, double max, double mean, double stddev)
    implements CborSerializable {}
