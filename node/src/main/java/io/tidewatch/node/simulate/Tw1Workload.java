package io.tidewatch.node.simulate;

import io.tidewatch.protocol.Reading;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Workload TW-1 (shared/bench/TW-1.md), generated deterministically from a seed: {@code sensors} sensors emit
 * one reading each per round, in a shuffled order per round, for {@code rounds} rounds; event time
 * {@code T0 + r·1000 + uniform(0..999)} ms; then 5 % of readings are moved back by uniform(1..2000) ms and 0.2 %
 * by 90 s; values 20 + gaussian, with ±15 on 1 %, rounded to two decimals.
 */
public final class Tw1Workload {

  public static final long T0 = 1_700_000_000_000L;

  /** One reading of the workload, in production order. */
  public record Tw1Reading(String entityId, long ts, double temperature) {

    /** The JSON TW-1 has always been written in (so figures stay comparable across sessions). */
    public String json() {
      return String.format(
          Locale.ROOT,
          "{\"entityType\":\"sensor\",\"entityId\":\"%s\",\"ts\":%d,\"metrics\":{\"temperature\":%.2f}}",
          entityId, ts, temperature);
    }

    public Reading reading() {
      return new Reading("sensor", entityId, ts, Map.of("temperature", temperature), null, Map.of());
    }
  }

  private final int sensors;
  private final int rounds;
  private final long seed;

  public Tw1Workload(int sensors, int rounds, long seed) {
    this.sensors = sensors;
    this.rounds = rounds;
    this.seed = seed;
  }

  public long size() {
    return (long) sensors * rounds;
  }

  public int sensors() {
    return sensors;
  }

  public void forEach(Consumer<Tw1Reading> consumer) {
    Random random = new Random(seed);
    List<Integer> order = new ArrayList<>(sensors);
    for (int i = 0; i < sensors; i++) {
      order.add(i);
    }
    for (int round = 0; round < rounds; round++) {
      Collections.shuffle(order, random);
      for (int sensor : order) {
        long ts = T0 + round * 1_000L + random.nextInt(1_000);
        double shift = random.nextDouble();
        if (shift < 0.002) {
          ts -= 90_000;
        } else if (shift < 0.052) {
          ts -= 1 + random.nextInt(2_000);
        }
        double value = 20 + random.nextGaussian();
        if (random.nextDouble() < 0.01) {
          value += random.nextBoolean() ? 15 : -15;
        }
        consumer.accept(new Tw1Reading(ReadingGenerator.sensorId(sensor), ts, Math.round(value * 100) / 100.0));
      }
    }
  }
}
