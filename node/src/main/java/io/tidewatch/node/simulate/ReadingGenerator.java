package io.tidewatch.node.simulate;

import io.tidewatch.protocol.Reading;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Makes plausible readings (DESIGN §2), in either wire format ({@link ReadingRecords}): each sensor's temperature
 * and humidity wander around its own base value, with occasional anomalies; users click, view and now and then buy.
 */
final class ReadingGenerator {

  private static final String[] USER_EVENTS = {"view", "view", "view", "click", "click", "purchase"};

  private final SimulatorSettings settings;
  private final Random random;
  private final double[] temperature;
  private final double[] humidity;
  private long next;

  ReadingGenerator(SimulatorSettings settings) {
    this.settings = settings;
    this.random = new Random(settings.seed());
    this.temperature = new double[settings.sensors()];
    this.humidity = new double[settings.sensors()];
    for (int i = 0; i < settings.sensors(); i++) {
      temperature[i] = 18 + random.nextDouble() * 6;
      humidity[i] = 35 + random.nextDouble() * 20;
    }
  }

  public static String sensorId(int i) {
    return String.format(Locale.ROOT, "sensor-%05d", i);
  }

  static String userId(int i) {
    return String.format(Locale.ROOT, "user-%05d", i);
  }

  /** The next reading, round-robin over all entities. */
  Reading next(long nowMs) {
    int total = settings.sensors() + settings.users();
    int i = (int) (next++ % total);
    long ts = nowMs - (settings.disorderMs() == 0 ? 0 : (long) (random.nextDouble() * settings.disorderMs()));
    if (settings.veryLateRate() > 0 && random.nextDouble() < settings.veryLateRate()) {
      ts -= settings.veryLateMs();
    }
    return i < settings.sensors() ? sensor(i, ts) : user(i - settings.sensors(), ts);
  }

  private Reading sensor(int i, long ts) {
    temperature[i] += random.nextGaussian() * 0.1;
    humidity[i] += random.nextGaussian() * 0.2;
    double t = temperature[i];
    if (random.nextDouble() < settings.anomalyRate()) {
      t += random.nextBoolean() ? 15 : -15;
    }
    return new Reading(
        "sensor", sensorId(i), ts, Map.of("temperature", round(t, 100), "humidity", round(humidity[i], 10)), null,
        Map.of("site", "plant-" + (i % 4 + 1)));
  }

  private Reading user(int i, long ts) {
    String event = USER_EVENTS[random.nextInt(USER_EVENTS.length)];
    Map<String, Double> metrics =
        event.equals("purchase")
            ? Map.of("purchase", round(5 + random.nextDouble() * 95, 100))
            : Map.of("view_time", round(random.nextDouble() * 60, 10));
    return new Reading("user", userId(i), ts, metrics, event, Map.of());
  }

  /** To 2 or 1 decimals ({@code scale} 100 or 10), as a person would write them. */
  private static double round(double value, double scale) {
    return Math.round(value * scale) / scale;
  }
}
