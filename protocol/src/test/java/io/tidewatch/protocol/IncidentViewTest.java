package io.tidewatch.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tidewatch.protocol.EntityProtocol.IncidentChanged;
import io.tidewatch.protocol.EntityProtocol.IncidentState;
import org.junit.jupiter.api.Test;

/** An incident's view after its transitions, in whatever order at-least-once delivery brings them. */
class IncidentViewTest {

  private static IncidentChanged change(IncidentState transition, Severity severity, int configVersion) {
    return new IncidentChanged("sensor-1:7", transition, "delta", "temperature", severity,
        transition == IncidentState.RESOLVED ? null : "sensor-1:6", 1_000, 2_000 + configVersion, 2_000, configVersion);
  }

  private static IncidentView after(IncidentChanged... changes) {
    IncidentView view = null;
    for (IncidentChanged change : changes) {
      view = IncidentView.after(view, "sensor", "sensor-1", change);
    }
    return view;
  }

  @Test
  void namesTheVersionOfItsFurthestTransitionWhateverOrderTheyCameIn() {
    IncidentChanged opened = change(IncidentState.OPENED, Severity.WARNING, 1);
    IncidentChanged escalated = change(IncidentState.ESCALATED, Severity.CRITICAL, 2);
    IncidentChanged resolved = change(IncidentState.RESOLVED, Severity.CRITICAL, 3);

    assertEquals(3, after(opened, escalated, resolved).configVersion());
    assertEquals(3, after(resolved, opened, escalated).configVersion(), "late repeats do not take it back");
    assertEquals(2, after(escalated, opened).configVersion());
    assertEquals(IncidentView.RESOLVED, after(resolved, opened).state());
  }
}
