package io.tidewatch.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TimesTest {

  private static final long T = 1_700_000_000_123L; // 2023-11-14T22:13:20.123Z

  @Test
  void printsUtcWithMillisecondsEvenWhenTheyAreZero() {
    assertEquals("2023-11-14T22:13:20.123Z", Times.iso(T));
    assertEquals("2023-11-14T22:13:20.000Z", Times.iso(1_700_000_000_000L));
  }

  @Test
  void parsesEpochMillisAndIsoTimesWithOrWithoutAnOffset() {
    assertEquals(T, Times.parse("1700000000123"));
    assertEquals(T, Times.parse("2023-11-14T22:13:20.123Z"));
    assertEquals(T, Times.parse("2023-11-14T23:13:20.123+01:00"));
    assertEquals(T, Times.parse(" 1700000000123 "));
  }

  @Test
  void rejectsOtherFormsNamingTheAcceptedOnes() {
    var failure = assertThrows(IllegalArgumentException.class, () -> Times.parse("yesterday"));

    assertTrue(failure.getMessage().contains("epoch milliseconds"), failure.getMessage());
    assertTrue(failure.getMessage().contains("'yesterday'"), failure.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Times.parse("2023-11-14T22:13:20")); // no zone: ambiguous
    assertThrows(IllegalArgumentException.class, () -> Times.parse("99999999999999999999"));
  }
}
