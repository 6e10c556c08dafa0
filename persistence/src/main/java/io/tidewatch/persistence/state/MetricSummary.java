package io.tidewatch.persistence.state;

/** Per metric of an entity: the last value in arrival order and how many readings carried it. */
final class MetricSummary {

  double last;
  long count;

  MetricSummary(double last, long count) {
    this.last = last;
    this.count = count;
  }
}
