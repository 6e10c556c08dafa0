package io.tidewatch.persistence.window;

import io.tidewatch.protocol.EntityProtocol.SourcedReading;
import io.tidewatch.protocol.EntityProtocol.WindowClosed;
import java.util.Collection;
import java.util.List;
import java.util.TreeMap;

/** Open tumbling or sliding windows of one spec, by start; a reading lands in every window that holds it. */
public final class AlignedWindows implements SpecWindows {

  private final AlignedSpec spec;
  private final TreeMap<Long, OpenWindow> byStart = new TreeMap<>();

  AlignedWindows(AlignedSpec spec) {
    this.spec = spec;
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
        final long s = start;
        byStart.computeIfAbsent(start, k -> new OpenWindow(spec.id(), s, end)).add(reading);
      }
    }
    return late;
  }

  @Override
  public void collectDue(long watermark, List<WindowClosed> due) {
    for (OpenWindow w : byStart.values()) {
      if (w.end() > watermark) {
        break; // by start, and so by end too
      }
      due.add(w.toClosed());
    }
  }

  @Override
  public void remove(WindowClosed closed) {
    byStart.remove(closed.start());
  }

  @Override
  public Collection<OpenWindow> open() {
    return byStart.values();
  }

  @Override
  public void restore(OpenWindow window) {
    byStart.put(window.start(), window);
  }
}
