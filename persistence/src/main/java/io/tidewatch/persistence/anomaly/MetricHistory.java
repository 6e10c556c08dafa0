package io.tidewatch.persistence.anomaly;

import java.util.Arrays;

/**
 * What the anomaly rules remember of one metric: the previous value in arrival order and, for z-scores, the last
 * {@code capacity} values in a ring. Bounded: never more than {@code capacity} values.
 */
public final class MetricHistory {

  private double previous = Double.NaN;
  private final double[] ring;
  private int size;
  private int next;

  public MetricHistory(int capacity) {
    this.ring = new double[capacity];
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
    if (ring.length > 0) {
      remember(value);
    }
  }

  private void remember(double value) {
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

  public int capacity() {
    return ring.length;
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
    return new Snapshot(previous, ring.length, last(size));
  }

  public static MetricHistory restore(Snapshot s) {
    return restore(s.previous(), s.values(), s.capacity());
  }

  public MetricHistory copy() {
    MetricHistory copy = new MetricHistory(ring.length);
    copy.previous = previous;
    copy.size = size;
    copy.next = next;
    System.arraycopy(ring, 0, copy.ring, 0, ring.length);
    return copy;
  }

  @Override
  public String toString() {
    return "MetricHistory[previous=" + previous + ", last=" + Arrays.toString(last(size)) + "]";
  }
}
