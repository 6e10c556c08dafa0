package io.tidewatch.persistence.window;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class WindowSpecTest {

  @Test
  void tumblingWindowsAreAlignedToTheEpoch() {
    AlignedSpec minute = WindowSpec.tumbling(60_000);
    assertEquals(1_700_000_040_000L, minute.firstStart(1_700_000_040_000L));
    assertEquals(1_700_000_040_000L, minute.firstStart(1_700_000_099_999L));
    assertEquals(1_700_000_100_000L, minute.end(minute.firstStart(1_700_000_099_999L)));
    assertEquals(minute.firstStart(1_700_000_050_000L), minute.lastStart(1_700_000_050_000L));
  }

  @Test
  void slidingReadingLandsInEveryWindowThatHoldsIt() {
    AlignedSpec spec = WindowSpec.sliding(300_000, 60_000);
    long ts = 1_700_000_123_000L;
    long first = spec.firstStart(ts);
    long last = spec.lastStart(ts);
    assertEquals(4 * 60_000, last - first, "a 5m window sliding by 1m: five windows hold each instant");
    assertEquals(true, first <= ts && ts < spec.end(first));
    assertEquals(true, spec.end(first - 60_000) <= ts, "the window before the first one has ended");
  }

  @Test
  void specIdsSpellDurationsAsConfigured() {
    assertEquals("tumbling-60s", WindowSpec.tumbling(Durations.spell("60s", 60_000), 60_000).id());
    assertEquals(
        "sliding-5m-1m",
        WindowSpec.sliding(Durations.spell("5 m", 300_000), 300_000, Durations.spell("1m", 60_000), 60_000).id());
  }

  @Test
  void specIdsOfOtherSpellingsUseTheLargestExactUnit() {
    assertEquals("tumbling-1h", WindowSpec.tumbling(Durations.spell("60 minutes", 3_600_000), 3_600_000).id());
    assertEquals("tumbling-1500ms", WindowSpec.tumbling(1_500).id());
  }

  @Test
  void rejectsSlideLongerThanSize() {
    assertThrows(IllegalArgumentException.class, () -> WindowSpec.sliding(60_000, 120_000));
  }
}
