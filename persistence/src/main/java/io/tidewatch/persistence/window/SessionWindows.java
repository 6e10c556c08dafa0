package io.tidewatch.persistence.window;

import io.tidewatch.protocol.EntityProtocol.SourcedReading;
import io.tidewatch.protocol.EntityProtocol.WindowClosed;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeMap;

/**
 * Open sessions of one spec, by first event time. A reading joins every open session it comes within the gap
 * of, merging them; with none, it opens a session of its own. It is late, and joins nothing, if it comes within
 * the gap of a session that has closed, or if its own session would have closed already.
 *
 * <p>Invariant: for consecutive sessions A and B, A's last event + gap ≤ B's first. Open sessions end after the
 * watermark and closed ones at or before it, so every open session lies after every closed one, and a reading
 * of an older closed session is already late by its own time: remembering the latest closed session is enough.
 */
public final class SessionWindows implements SpecWindows {

  private final SessionSpec spec;
  private final TreeMap<Long, OpenWindow> byStart = new TreeMap<>();
  private long lastClosedFirst = Long.MIN_VALUE;
  private long lastClosedEnd = Long.MIN_VALUE;

  SessionWindows(SessionSpec spec) {
    this.spec = spec;
  }

  @Override
  public SessionSpec spec() {
    return spec;
  }

  @Override
  public boolean add(SourcedReading reading, long watermark) {
    long ts = reading.ts();
    long gap = spec.gapMs();
    // Sessions span [first, last + gap); a reading belongs to one when first - gap < ts < last + gap.
    if (lastClosedEnd != Long.MIN_VALUE && lastClosedFirst - gap < ts && ts < lastClosedEnd) {
      return true;
    }
    List<OpenWindow> joined = new ArrayList<>(2);
    for (OpenWindow session : byStart.headMap(ts + gap, false).descendingMap().values()) {
      if (ts >= session.end()) {
        break; // by the invariant, earlier sessions end earlier still
      }
      joined.add(session);
    }
    if (joined.isEmpty()) {
      if (ts + gap <= watermark) {
        return true; // its own session would have closed already
      }
      OpenWindow session = new OpenWindow(spec.id(), ts, ts + gap);
      session.add(reading);
      byStart.put(ts, session);
      return false;
    }
    // Merge in ascending start order, so that replay repeats the same floating-point operations.
    joined.sort((a, b) -> Long.compare(a.start(), b.start()));
    OpenWindow merged = joined.get(0);
    byStart.remove(merged.start());
    for (OpenWindow other : joined.subList(1, joined.size())) {
      byStart.remove(other.start());
      merged.absorb(other);
    }
    merged.add(reading);
    merged.span(Math.min(merged.start(), ts), Math.max(merged.end(), ts + gap));
    byStart.put(merged.start(), merged);
    return false;
  }

  @Override
  public void collectDue(long watermark, List<WindowClosed> due) {
    for (OpenWindow session : byStart.values()) {
      if (session.end() <= watermark) {
        due.add(session.toClosed());
      }
    }
  }

  @Override
  public void remove(WindowClosed closed) {
    byStart.remove(closed.start());
    if (closed.end() > lastClosedEnd) {
      lastClosedFirst = closed.start();
      lastClosedEnd = closed.end();
    }
  }

  @Override
  public Collection<OpenWindow> open() {
    return byStart.values();
  }

  @Override
  public void restore(OpenWindow window) {
    byStart.put(window.start(), window);
  }

  /** First event time and end of the latest closed session, or null if none closed yet (for snapshots). */
  public long[] lastClosed() {
    return lastClosedEnd == Long.MIN_VALUE ? null : new long[] {lastClosedFirst, lastClosedEnd};
  }

  public void restoreLastClosed(long first, long end) {
    lastClosedFirst = first;
    lastClosedEnd = end;
  }
}
