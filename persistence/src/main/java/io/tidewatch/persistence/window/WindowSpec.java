package io.tidewatch.persistence.window;

/**
 * Event-time windows aligned to the epoch (DESIGN §3): tumbling {@code [k·size, (k+1)·size)} and sliding
 * {@code [k·slide, k·slide + size)}. A tumbling window is a sliding one whose slide equals its size.
 *
 * @param id what the API and the journal call it, e.g. {@code tumbling-60s} or {@code sliding-5m-1m}
 */
public record WindowSpec(String id, long sizeMs, long slideMs) {

  public WindowSpec {
    if (sizeMs <= 0 || slideMs <= 0) {
      throw new IllegalArgumentException("window size and slide must be positive");
    }
    if (slideMs > sizeMs) {
      throw new IllegalArgumentException("a sliding window's slide must not exceed its size");
    }
  }

  public static WindowSpec tumbling(long sizeMs) {
    return tumbling(Durations.format(sizeMs), sizeMs);
  }

  public static WindowSpec sliding(long sizeMs, long slideMs) {
    return sliding(Durations.format(sizeMs), sizeMs, Durations.format(slideMs), slideMs);
  }

  /** A tumbling window whose id spells the size as configured (e.g. {@code 60s} → {@code tumbling-60s}). */
  public static WindowSpec tumbling(String sizeText, long sizeMs) {
    return new WindowSpec("tumbling-" + sizeText, sizeMs, sizeMs);
  }

  public static WindowSpec sliding(String sizeText, long sizeMs, String slideText, long slideMs) {
    return new WindowSpec("sliding-" + sizeText + "-" + slideText, sizeMs, slideMs);
  }

  public boolean isTumbling() {
    return sizeMs == slideMs;
  }

  /** Start of the latest window that holds {@code ts}; the others start every {@code slide} before it. */
  public long lastStart(long ts) {
    return Math.floorDiv(ts, slideMs) * slideMs;
  }

  /** Start of the earliest window that holds {@code ts}. */
  public long firstStart(long ts) {
    return Math.floorDiv(ts - sizeMs, slideMs) * slideMs + slideMs;
  }

  public long end(long start) {
    return start + sizeMs;
  }
}
