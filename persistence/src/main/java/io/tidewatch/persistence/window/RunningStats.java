package io.tidewatch.persistence.window;

import io.tidewatch.protocol.MetricAggregate;

/**
 * Count, sum, min, max, mean and population standard deviation of one metric in one open window, updated in
 * O(1) per value with Welford's algorithm (numerically stable, unlike a sum of squares).
 */
public final class RunningStats {

  private long count;
  private double sum;
  private double min = Double.POSITIVE_INFINITY;
  private double max = Double.NEGATIVE_INFINITY;
  private double mean;
  private double m2;

  public void add(double value) {
    count++;
    sum += value;
    min = Math.min(min, value);
    max = Math.max(max, value);
    double delta = value - mean;
    mean += delta / count;
    m2 += delta * (value - mean);
  }

  /** Combines another window's statistics into these (Chan et al.'s parallel variance). */
  public void merge(RunningStats other) {
    if (other.count == 0) {
      return;
    }
    if (count == 0) {
      count = other.count;
      sum = other.sum;
      min = other.min;
      max = other.max;
      mean = other.mean;
      m2 = other.m2;
      return;
    }
    long total = count + other.count;
    double delta = other.mean - mean;
    m2 += other.m2 + delta * delta * ((double) count * other.count / total);
    mean += delta * other.count / total;
    sum += other.sum;
    min = Math.min(min, other.min);
    max = Math.max(max, other.max);
    count = total;
  }

  /** The exact running values, for snapshots. */
  public record Snapshot(long count, double sum, double min, double max, double mean, double m2) {}

  public Snapshot snapshot() {
    return new Snapshot(count, sum, min, max, mean, m2);
  }

  public static RunningStats restore(Snapshot s) {
    RunningStats stats = new RunningStats();
    stats.count = s.count();
    stats.sum = s.sum();
    stats.min = s.min();
    stats.max = s.max();
    stats.mean = s.mean();
    stats.m2 = s.m2();
    return stats;
  }

  public MetricAggregate toAggregate() {
    double stddev = count == 0 ? 0.0 : Math.sqrt(Math.max(0.0, m2 / count));
    return new MetricAggregate(count, sum, min, max, mean, stddev);
  }
}
