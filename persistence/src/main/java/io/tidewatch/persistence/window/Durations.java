package io.tidewatch.persistence.window;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Spells window durations for spec ids (DESIGN §4): as configured when that is a plain number and unit
 * ({@code 60s}, {@code 5m}), otherwise in the largest unit that divides exactly.
 */
public final class Durations {

  private static final Pattern PLAIN = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

  private static final long[] UNIT_MS = {86_400_000L, 3_600_000L, 60_000L, 1_000L, 1L};
  private static final String[] UNIT = {"d", "h", "m", "s", "ms"};

  private Durations() {}

  public static String spell(String configured, long ms) {
    Matcher plain = PLAIN.matcher(configured.trim());
    return plain.matches() ? plain.group(1) + plain.group(2) : format(ms);
  }

  static String format(long ms) {
    for (int i = 0; i < UNIT_MS.length; i++) {
      if (ms % UNIT_MS[i] == 0) {
        return (ms / UNIT_MS[i]) + UNIT[i];
      }
    }
    throw new IllegalStateException("unreachable: every duration divides by 1 ms");
  }
}
