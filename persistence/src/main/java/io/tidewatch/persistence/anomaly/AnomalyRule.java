package io.tidewatch.persistence.anomaly;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One anomaly rule of an entity type (DESIGN §3), for the metrics it names ({@code *} for every metric):
 * {@code delta} compares with the previous value in arrival order, {@code zscore} with the mean and standard
 * deviation of the last {@code window} values once there are {@code minSamples}, {@code range} with fixed bounds;
 * {@code rcf} scores the readings of a metric set against a Random Cut Forest that learns them ({@link RcfForest}),
 * {@code onnx} with a model file ({@link OnnxModel}).
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

  /**
   * A streaming Random Cut Forest per entity over the metric set {@code metrics} (in that order, each reading's
   * values one point; the last {@code shingleSize} points one shingle): a reading scores how much it stands out
   * from what the forest learned, and fires once the forest has learned {@code warmUp} readings and the score is
   * above {@code threshold}. Its ratio is score / threshold. {@code trees} and {@code sampleSize} set the forest's
   * size, so its heap (about 90 KB at the defaults); {@code seed} with the entity id seeds the forest, so a replay
   * of the journal scores exactly as the live entity did.
   */
  record Rcf(
      List<String> metrics,
      int warmUp,
      double threshold,
      int trees,
      int sampleSize,
      int shingleSize,
      long seed,
      SeverityBands severity)
      implements AnomalyRule {

    public static final String NAME = "rcf";
    public static final int DEFAULT_WARM_UP = 256;
    public static final int DEFAULT_TREES = 30;
    public static final int DEFAULT_SAMPLE_SIZE = 128;
    public static final int DEFAULT_SHINGLE_SIZE = 1;

    public Rcf {
      metrics = List.copyOf(metrics);
      if (metrics.isEmpty() || metrics.contains("*") || metrics.stream().distinct().count() != metrics.size()) {
        throw new IllegalArgumentException(
            "rcf needs metrics = [...] naming the distinct metrics of its forest (no \"*\"), got metrics = " + metrics);
      }
      if (!(threshold > 0 && Double.isFinite(threshold))) {
        throw new IllegalArgumentException("rcf needs threshold > 0 (an anomaly score), got threshold = " + threshold);
      }
      if (trees < 1) {
        throw new IllegalArgumentException("rcf needs trees >= 1, got trees = " + trees);
      }
      if (sampleSize < 8) {
        throw new IllegalArgumentException("rcf needs sample-size >= 8, got sample-size = " + sampleSize);
      }
      if (shingleSize < 1) {
        throw new IllegalArgumentException("rcf needs shingle-size >= 1, got shingle-size = " + shingleSize);
      }
      if (warmUp < shingleSize) { // a forest scores nothing before its first full shingle
        throw new IllegalArgumentException(
            "rcf needs warm-up >= shingle-size (" + shingleSize + "), got warm-up = " + warmUp);
      }
    }

    public Rcf(List<String> metrics, int warmUp, double threshold) {
      this(metrics, warmUp, threshold, DEFAULT_TREES, DEFAULT_SAMPLE_SIZE, DEFAULT_SHINGLE_SIZE, 0, SeverityBands.DEFAULT);
    }

    public String name() {
      return NAME;
    }

    /**
     * What the forest's shape depends on: a snapshot's forest is restored only into a rule with the same key
     * (threshold and warm-up may change without losing what it learned).
     */
    public String forestKey() {
      return String.join(",", metrics) + ";trees=" + trees + ";sample-size=" + sampleSize + ";shingle-size="
          + shingleSize + ";seed=" + seed;
    }

    static Rcf fromConfig(Config rule, SeverityBands severity) {
      if (!rule.hasPath("metrics")) {
        throw new IllegalArgumentException("rcf needs metrics = [...], the metrics of its forest");
      }
      return new Rcf(
          rule.getStringList("metrics"),
          rule.hasPath("warm-up") ? rule.getInt("warm-up") : DEFAULT_WARM_UP,
          rule.getDouble("threshold"),
          rule.hasPath("trees") ? rule.getInt("trees") : DEFAULT_TREES,
          rule.hasPath("sample-size") ? rule.getInt("sample-size") : DEFAULT_SAMPLE_SIZE,
          rule.hasPath("shingle-size") ? rule.getInt("shingle-size") : DEFAULT_SHINGLE_SIZE,
          rule.hasPath("seed") ? rule.getLong("seed") : 0,
          severity);
    }
  }

  /**
   * A model you bring ({@link OnnxModel}): each reading that has all of {@code metrics} is one float tensor [1, n] in
   * that order, and fires when the model's score is above {@code threshold}; its ratio is score / threshold. The
   * model is stateless, so the rule keeps nothing per entity and a replay scores as the live entity did (as long as
   * the model file is the same: each hit records its hash). {@code input} and {@code output} name the model's
   * tensors (null: its only input, its first output).
   */
  record Onnx(
      List<String> metrics,
      String model,
      double threshold,
      String input,
      String output,
      SeverityBands severity,
      OnnxModel session)
      implements AnomalyRule {

    public static final String NAME = "onnx";

    public Onnx {
      metrics = List.copyOf(metrics);
      if (metrics.isEmpty() || metrics.contains("*") || metrics.stream().distinct().count() != metrics.size()) {
        throw new IllegalArgumentException(
            "onnx needs metrics = [...] naming the model's input features in order (no \"*\"), got metrics = "
                + metrics);
      }
      if (!(threshold > 0 && Double.isFinite(threshold))) {
        throw new IllegalArgumentException("onnx needs threshold > 0 (a model score), got threshold = " + threshold);
      }
      String[] bound = session.bind(input, output, metrics.size());
      input = bound[0];
      output = bound[1];
    }

    /** Opens (or shares) the session of the model file at {@code model}; a bad file is an {@link OnnxModel.Invalid}. */
    public Onnx(List<String> metrics, String model, double threshold, String input, String output,
        SeverityBands severity) {
      this(metrics, model, threshold, input, output, severity, OnnxModel.open(Path.of(model)));
    }

    public String name() {
      return NAME;
    }

    /** The model's score of {@code reading}, or NaN if it lacks one of the metrics. */
    public double score(Map<String, Double> reading) {
      float[] features = new float[metrics.size()];
      for (int i = 0; i < features.length; i++) {
        Double value = reading.get(metrics.get(i));
        if (value == null) {
          return Double.NaN;
        }
        features[i] = value.floatValue();
      }
      return session.score(input, output, features);
    }

    static Onnx fromConfig(Config rule, SeverityBands severity) {
      if (!rule.hasPath("metrics") || !rule.hasPath("model")) {
        throw new IllegalArgumentException("onnx needs metrics = [...] (the model's inputs) and model = \"<file>\"");
      }
      return new Onnx(
          rule.getStringList("metrics"),
          rule.getString("model"),
          rule.getDouble("threshold"),
          rule.hasPath("input") ? rule.getString("input") : null,
          rule.hasPath("output") ? rule.getString("output") : null,
          severity);
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
      case Rcf.NAME -> Rcf.fromConfig(rule, severity);
      case Onnx.NAME -> Onnx.fromConfig(rule, severity);
      default -> throw new IllegalArgumentException(
          "entity type " + type + ": unknown anomaly rule '" + name + "' (delta, zscore, range, rcf or onnx)");
    };
  }
}
