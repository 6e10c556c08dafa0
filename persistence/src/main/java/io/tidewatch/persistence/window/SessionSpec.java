package io.tidewatch.persistence.window;

/**
 * Session windows (DESIGN §3): a session holds readings whose event times are each less than {@code gap} from a
 * neighbour; it spans {@code [first, last + gap)} and closes when the watermark reaches {@code last + gap}. An
 * out-of-order reading that comes within the gap of two sessions merges them.
 */
public record SessionSpec(String id, long gapMs) implements WindowSpec {

  public SessionSpec {
    if (gapMs <= 0) {
      throw new IllegalArgumentException("a session gap must be positive");
    }
  }

  @Override
  public long spanMs() {
    return gapMs;
  }

  @Override
  public SpecWindows newWindows() {
    return new SessionWindows(this);
  }
}
