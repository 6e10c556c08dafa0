package io.tidewatch.persistence.window;

/**
 * Event-time windows aligned to the epoch (DESIGN §3): tumbling {@code [k·size, (k+1)·size)} and sliding
 * {@code [k·slide, k·slide + size)}. A tumbling window is a sliding one whose slide equals its size.
 *
 * @param id what the API and the journal call it, e.g. {@code tumbling-60s} or {@code sliding-5m-1m}
 */
public record AlignedSpec(String id, long sizeMs, long slideMs) implements WindowSpec {

  public AlignedSpec {
    if (sizeMs <= 0 || slideMs <= 0) {
      throw new IllegalArgumentException("window size and slide must be positive");
    }
    if (slideMs > sizeMs) {
      throw new IllegalArgumentException("a sliding window's slide must not exceed its size");
    }
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

  @Override
  public long spanMs() {
    return sizeMs;
  }

  @Override
  public SpecWindows newWindows() {
    return new AlignedWindows(this);
  }
}
