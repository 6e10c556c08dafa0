package io.tidewatch.persistence.anomaly;

import com.typesafe.config.Config;
import java.util.List;

/**
 * One anomaly rule of an entity type (DESIGN §3), for the metrics it names ({@code *} for every metric):
 * {@code delta} compares with the previous value in arrival order, {@code zscore} with the mean and standard
 * deviation of the last {@code window} values once there are {@code minSamples}, {@code range} with fixed bounds.
 */
public sealed interface AnomalyRule {

  String name();

  List<String> metrics();

  /** How its hits are graded. */
  SeverityBands severity();

  default boolean appliesTo(String metric) {
    return metrics().contains("*") || metrics().contains(metric);
  }

  record Delta(List<String> metrics, double threshold, SeverityBands severity) implements AnomalyRule {
    public Delta(List<String> metrics, double threshold) {
      this(metrics, threshold, SeverityBands.DEFAULT);
    }

    public String name() {
      return "delta";
    }
  }

  record ZScore(List<String> metrics, double k, int window, int minSamples, SeverityBands severity)
      implements AnomalyRule {
    public ZScore {
      if (window < 2 || minSamples < 2 || minSamples > window) {
        throw new IllegalArgumentException("zscore needs 2 <= min-samples <= window");
      }
    }

    public ZScore(List<String> metrics, double k, int window, int minSamples) {
      this(metrics, k, window, minSamples, SeverityBands.DEFAULT);
    }

    public String name() {
      return "zscore";
    }
  }

  record Range(List<String> metrics, double min, double max, SeverityBands severity) implements AnomalyRule {
    public Range(List<String> metrics, double min, double max) {
      this(metrics, min, max, SeverityBands.DEFAULT);
    }

    public String name() {
      return "range";
    }
  }

  static AnomalyRule fromConfig(String type, Config rule) {
    List<String> metrics = rule.hasPath("metrics") ? rule.getStringList("metrics") : List.of("*");
    String name = rule.getString("rule");
    SeverityBands severity = SeverityBands.fromConfig(rule);
    return switch (name) {
      case "delta" -> new Delta(metrics, rule.getDouble("threshold"), severity);
      case "zscore" -> new ZScore(
          metrics, rule.getDouble("k"), rule.getInt("window"), rule.getInt("min-samples"), severity);
      case "range" -> new Range(
          metrics,
          rule.hasPath("min") ? rule.getDouble("min") : Double.NEGATIVE_INFINITY,
          rule.hasPath("max") ? rule.getDouble("max") : Double.POSITIVE_INFINITY,
          severity);
      default -> throw new IllegalArgumentException(
          "entity type " + type + ": unknown anomaly rule '" + name + "' (delta, zscore or range)");
    };
  }
}
