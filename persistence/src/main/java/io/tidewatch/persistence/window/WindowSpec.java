package io.tidewatch.persistence.window;

/** One configured kind of event-time window (DESIGN §3): aligned (tumbling, sliding) or session. */
public sealed interface WindowSpec permits AlignedSpec, SessionSpec {

  /** What the API and the journal call it, e.g. {@code tumbling-60s}, {@code sliding-5m-1m}, {@code session-30m}. */
  String id();

  /** The longest a window of this spec stays open in event time past its first reading: size, or the session gap. */
  long spanMs();

  /** An empty set of open windows of this spec. */
  SpecWindows newWindows();

  static AlignedSpec tumbling(long sizeMs) {
    return tumbling(Durations.format(sizeMs), sizeMs);
  }

  /** A tumbling window whose id spells the size as configured (e.g. {@code 60s} → {@code tumbling-60s}). */
  static AlignedSpec tumbling(String sizeText, long sizeMs) {
    return new AlignedSpec("tumbling-" + sizeText, sizeMs, sizeMs);
  }

  static AlignedSpec sliding(long sizeMs, long slideMs) {
    return sliding(Durations.format(sizeMs), sizeMs, Durations.format(slideMs), slideMs);
  }

  static AlignedSpec sliding(String sizeText, long sizeMs, String slideText, long slideMs) {
    return new AlignedSpec("sliding-" + sizeText + "-" + slideText, sizeMs, slideMs);
  }

  static SessionSpec session(long gapMs) {
    return session(Durations.format(gapMs), gapMs);
  }

  static SessionSpec session(String gapText, long gapMs) {
    return new SessionSpec("session-" + gapText, gapMs);
  }
}
