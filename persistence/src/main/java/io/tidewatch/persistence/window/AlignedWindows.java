package io.tidewatch.persistence.window;

import io.tidewatch.protocol.EntityProtocol.SourcedReading;
import io.tidewatch.protocol.EntityProtocol.WindowClosed;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Open tumbling or sliding windows of one spec, by start; a reading lands in every window that holds it. Kept in a
 * list sorted by start: an entity has a handful open per spec (size / slide, plus those the lateness keeps), and a
 * map of boxed starts cost about 0.4 KB of every live entity.
 */
public final class AlignedWindows implements SpecWindows {

  private final AlignedSpec spec;
  private final ArrayList<OpenWindow> byStart;

  AlignedWindows(AlignedSpec spec) {
    this.spec = spec;
    this.byStart = new ArrayList<>((int) Math.min(16, spec.sizeMs() / spec.slideMs() + 1));
  }

  @Override
  public AlignedSpec spec() {
    return spec;
  }

  @Override
  public boolean add(SourcedReading reading, long watermark) {
    boolean late = false;
    for (long start = spec.firstStart(reading.ts()); start <= reading.ts(); start += spec.slideMs()) {
      long end = spec.end(start);
      if (end <= watermark) {
        late = true; // that window has closed: the reading changes it no more
      } else {
        int at = indexOf(start);
        OpenWindow window;
        if (at >= 0) {
          window = byStart.get(at);
        } else {
          window = new OpenWindow(spec.id(), start, end);
          byStart.add(-at - 1, window);
        }
        window.add(reading);
      }
    }
    return late;
  }

  @Override
  public void collectDue(long watermark, List<WindowClosed> due) {
    for (OpenWindow w : byStart) {
      if (w.end() > watermark) {
        break; // by start, and so by end too
      }
      due.add(w.toClosed());
    }
  }

  @Override
  public void remove(WindowClosed closed) {
    int at = indexOf(closed.start());
    if (at >= 0) {
      byStart.remove(at);
    }
  }

  /** Read only: the entity state changes windows through this class alone. */
  @Override
  public Collection<OpenWindow> open() {
    return byStart;
  }

  @Override
  public void restore(OpenWindow window) {
    int at = indexOf(window.start());
    if (at >= 0) {
      byStart.set(at, window);
    } else {
      byStart.add(-at - 1, window);
    }
  }

  /** The window's index if one starts at {@code start}, else −(insertion point) − 1, as binary searches answer. */
  private int indexOf(long start) {
    int low = 0;
    int high = byStart.size() - 1;
    while (low <= high) {
      int mid = (low + high) >>> 1;
      long midStart = byStart.get(mid).start();
      if (midStart < start) {
        low = mid + 1;
      } else if (midStart > start) {
        high = mid - 1;
      } else {
        return mid;
      }
    }
    return -(low + 1);
  }
}
