package io.tidewatch.persistence.anomaly;

import java.util.Arrays;

/**
 * What the anomaly rules remember of one metric: the previous value in arrival order and, for z-scores, the last
 * {@code capacity} values in a ring. Bounded: never more than {@code capacity} values; the ring grows to its
 * capacity only as values arrive, since most of millions of entities may have seen just a few.
 */
public final class MetricHistory {

  private static final double[] EMPTY = {};

  private double previous = Double.NaN;
  private final int capacity;
  private double[] ring = EMPTY;
  private int size;
  private int next;

  public MetricHistory(int capacity) {
    this.capacity = capacity;
  }

  public static MetricHistory restore(double previous, double[] oldestFirst, int capacity) {
    MetricHistory history = new MetricHistory(capacity);
    history.previous = previous;
    for (int i = Math.max(0, oldestFirst.length - capacity); i < oldestFirst.length; i++) {
      history.remember(oldestFirst[i]);
    }
    return history;
  }

  public void record(double value) {
    previous = value;
    if (capacity > 0) {
      remember(value);
    }
  }

  private void remember(double value) {
    if (size == ring.length && ring.length < capacity) {
      // Below capacity nothing was overwritten yet: ring[0..size) is oldest first, and the next slot is size.
      ring = Arrays.copyOf(ring, Math.min(capacity, Math.max(4, ring.length * 2)));
      next = size;
    }
    ring[next] = value;
    next = (next + 1) % ring.length;
    size = Math.min(size + 1, ring.length);
  }

  public boolean hasPrevious() {
    return !Double.isNaN(previous);
  }

  public double previous() {
    return previous;
  }

  /** The last {@code n} values (fewer if fewer were seen), oldest first. */
  public double[] last(int n) {
    int count = Math.min(n, size);
    double[] out = new double[count];
    for (int i = 0; i < count; i++) {
      out[i] = ring[Math.floorMod(next - count + i, ring.length)];
    }
    return out;
  }

  /** The previous value and the remembered values oldest first, for snapshots. */
  public record Snapshot(double previous, int capacity, double[] values) {}

  public Snapshot snapshot() {
    return new Snapshot(previous, capacity, last(size));
  }

  public static MetricHistory restore(Snapshot s) {
    return restore(s.previous(), s.values(), s.capacity());
  }

  @Override
  public String toString() {
    return "MetricHistory[previous=" + previous + ", last=" + Arrays.toString(last(size)) + "]";
  }
}
