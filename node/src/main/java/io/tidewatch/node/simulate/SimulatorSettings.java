package io.tidewatch.node.simulate;

import io.tidewatch.protocol.ReadingFormat;

/**
 * What the simulator produces: {@code sensors} ids {@code sensor-00000…} and {@code users} ids
 * {@code user-00000…}, at {@code ratePerSecond} in total; {@code anomalyRate} of sensor readings jump by ±15;
 * event times lag the wall clock by up to {@code disorderMs} (out of order), and {@code veryLateRate} of readings
 * by {@code veryLateMs} (late enough to miss their closed windows); records are JSON or protobuf by {@code format}.
 */
public record SimulatorSettings(
    String bootstrapServers,
    String topic,
    int sensors,
    int users,
    double ratePerSecond,
    double anomalyRate,
    long disorderMs,
    double veryLateRate,
    long veryLateMs,
    long seed,
    ReadingFormat format) {

  /** JSON readings, as the demo sends them. */
  public SimulatorSettings(
      String bootstrapServers, String topic, int sensors, int users, double ratePerSecond, double anomalyRate,
      long disorderMs, double veryLateRate, long veryLateMs, long seed) {
    this(bootstrapServers, topic, sensors, users, ratePerSecond, anomalyRate, disorderMs, veryLateRate, veryLateMs, seed,
        ReadingFormat.JSON);
  }

  public SimulatorSettings {
    if (sensors < 0 || users < 0 || sensors + users == 0) {
      throw new IllegalArgumentException("simulate at least one sensor or user");
    }
    if (ratePerSecond <= 0) {
      throw new IllegalArgumentException("rate must be positive");
    }
    if (anomalyRate < 0 || anomalyRate > 1) {
      throw new IllegalArgumentException("anomaly rate must be between 0 and 1");
    }
    if (veryLateRate < 0 || veryLateRate > 1 || veryLateMs < 0) {
      throw new IllegalArgumentException("very-late rate must be between 0 and 1, its delay not negative");
    }
    if (disorderMs < 0) {
      throw new IllegalArgumentException("disorder must not be negative");
    }
  }
}
