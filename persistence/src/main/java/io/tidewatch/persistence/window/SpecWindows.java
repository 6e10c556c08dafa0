package io.tidewatch.persistence.window;

import io.tidewatch.protocol.EntityProtocol.SourcedReading;
import io.tidewatch.protocol.EntityProtocol.WindowClosed;
import java.util.Collection;
import java.util.List;

/** The open windows of one spec in one entity; mutated only through the entity state's event fold. */
public sealed interface SpecWindows permits AlignedWindows, SessionWindows {

  WindowSpec spec();

  /**
   * Adds the reading to every open window of this spec that holds it, opening windows as needed.
   *
   * @param watermark the entity's watermark before this reading
   * @return true if the reading belongs to a window of this spec that has already closed (it is then late)
   */
  boolean add(SourcedReading reading, long watermark);

  /** Adds to {@code due} the windows whose end the watermark has reached. */
  void collectDue(long watermark, List<WindowClosed> due);

  /** Forgets the open window that {@code closed} closed. */
  void remove(WindowClosed closed);

  Collection<OpenWindow> open();

  /** Puts back an open window (restoring a snapshot). */
  void restore(OpenWindow window);

}
