package io.tidewatch.persistence.state;

import io.tidewatch.protocol.EntityProtocol.DuplicatesIgnored;
import io.tidewatch.protocol.EntityProtocol.Event;
import io.tidewatch.protocol.EntityProtocol.ReadingsRecorded;
import io.tidewatch.protocol.EntityProtocol.SourcedReading;
import io.tidewatch.protocol.EntityProtocol.WindowClosed;
import java.util.ArrayList;
import java.util.List;

/**
 * The events that recording a batch of readings produces, decided by folding the readings one by one through a
 * copy of the state: readings up to each point where the watermark closes windows, then those
 * {@link WindowClosed} events, and so on. The result is therefore the same however the readings were batched.
 */
public record RecordPlan(List<Event> events, int recorded, int duplicates) {

  public RecordPlan {
    events = List.copyOf(events);
  }

  public static RecordPlan of(EntityState state, List<SourcedReading> readings) {
    EntityState scratch = state.copy();
    List<Event> events = new ArrayList<>();
    List<SourcedReading> chunk = new ArrayList<>();
    int recorded = 0;
    int duplicates = 0;
    for (SourcedReading reading : readings) {
      if (scratch.isDuplicate(reading)) {
        duplicates++;
        continue;
      }
      recorded++;
      chunk.add(reading);
      scratch.apply(new ReadingsRecorded(List.of(reading)));
      List<WindowClosed> due = scratch.dueWindows();
      if (!due.isEmpty()) {
        events.add(new ReadingsRecorded(chunk));
        chunk = new ArrayList<>();
        for (WindowClosed closed : due) {
          scratch.apply(closed);
          events.add(closed);
        }
      }
    }
    if (!chunk.isEmpty()) {
      events.add(new ReadingsRecorded(chunk));
    }
    if (duplicates > 0) {
      events.add(new DuplicatesIgnored(duplicates));
    }
    return new RecordPlan(events, recorded, duplicates);
  }
}
