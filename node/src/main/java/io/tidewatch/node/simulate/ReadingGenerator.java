package io.tidewatch.node.simulate;

import java.util.Locale;
import java.util.Random;

/**
 * Makes plausible readings in the canonical JSON of DESIGN §2: each sensor's temperature and humidity wander
 * around its own base value, with occasional anomalies; users click, view and now and then buy.
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

  /** The next reading, round-robin over all entities: key and JSON value. */
  String[] next(long nowMs) {
    int total = settings.sensors() + settings.users();
    int i = (int) (next++ % total);
    long ts = nowMs - (settings.disorderMs() == 0 ? 0 : (long) (random.nextDouble() * settings.disorderMs()));
    if (settings.veryLateRate() > 0 && random.nextDouble() < settings.veryLateRate()) {
      ts -= settings.veryLateMs();
    }
    return i < settings.sensors() ? sensor(i, ts) : user(i - settings.sensors(), ts);
  }

  private String[] sensor(int i, long ts) {
    temperature[i] += random.nextGaussian() * 0.1;
    humidity[i] += random.nextGaussian() * 0.2;
    double t = temperature[i];
    if (random.nextDouble() < settings.anomalyRate()) {
      t += random.nextBoolean() ? 15 : -15;
    }
    String id = sensorId(i);
    String json =
        String.format(
            Locale.ROOT,
            "{\"entityType\":\"sensor\",\"entityId\":\"%s\",\"ts\":%d,\"metrics\":{\"temperature\":%.2f,\"humidity\":%.1f},\"attrs\":{\"site\":\"plant-%d\"}}",
            id, ts, t, humidity[i], i % 4 + 1);
    return new String[] {id, json};
  }

  private String[] user(int i, long ts) {
    String event = USER_EVENTS[random.nextInt(USER_EVENTS.length)];
    String metrics =
        event.equals("purchase")
            ? String.format(Locale.ROOT, "\"purchase\":%.2f", 5 + random.nextDouble() * 95)
            : String.format(Locale.ROOT, "\"view_time\":%.1f", random.nextDouble() * 60);
    String id = userId(i);
    String json =
        String.format(
            Locale.ROOT,
            "{\"entityType\":\"user\",\"entityId\":\"%s\",\"ts\":%d,\"event\":\"%s\",\"metrics\":{%s}}",
            id, ts, event, metrics);
    return new String[] {id, json};
  }
}
