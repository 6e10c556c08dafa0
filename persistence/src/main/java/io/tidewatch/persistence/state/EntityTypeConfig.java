package io.tidewatch.persistence.state;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.tidewatch.persistence.anomaly.AnomalyRule;
import io.tidewatch.persistence.anomaly.AnomalyRules;
import io.tidewatch.persistence.anomaly.IncidentPolicy;
import io.tidewatch.persistence.anomaly.OnnxModel;
import io.tidewatch.persistence.pipeline.Pipeline;
import io.tidewatch.persistence.window.Durations;
import io.tidewatch.persistence.window.WindowSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * How entities of one type keep their windows and look for anomalies ({@code tidewatch.entity-types.<type>}):
 * the window specs, the allowed lateness that holds the watermark back, the processing time of silence after
 * which due windows close anyway, the anomaly rules, and how many closed windows (per spec) and alerts the state
 * keeps (the journal keeps them all), and the pipeline that cleans its readings before they reach an entity.
 */
public record EntityTypeConfig(
    String type,
    List<WindowSpec> windows,
    long allowedLatenessMs,
    long idleCloseMs,
    AnomalyRules anomalies,
    int recentWindowsPerSpec,
    int recentAlerts,
    Pipeline pipeline) {

  public EntityTypeConfig {
    windows = List.copyOf(windows);
    if (windows.isEmpty()) {
      throw new IllegalArgumentException("entity type " + type + " needs at least one window");
    }
    if (windows.stream().map(WindowSpec::id).distinct().count() != windows.size()) {
      throw new IllegalArgumentException("entity type " + type + " has two windows with the same id");
    }
    if (allowedLatenessMs < 0 || idleCloseMs <= 0 || recentWindowsPerSpec < 1 || recentAlerts < 1) {
      throw new IllegalArgumentException(
          "entity type " + type + ": bad allowed-lateness, idle-close, recent-windows-per-spec or recent-alerts");
    }
  }

  /** A type without a pipeline. */
  public EntityTypeConfig(
      String type,
      List<WindowSpec> windows,
      long allowedLatenessMs,
      long idleCloseMs,
      AnomalyRules anomalies,
      int recentWindowsPerSpec,
      int recentAlerts) {
    this(type, windows, allowedLatenessMs, idleCloseMs, anomalies, recentWindowsPerSpec, recentAlerts, Pipeline.NONE);
  }

  /** A type with the given windows and lateness, idle close after the longest window span, and no anomaly rules. */
  public static EntityTypeConfig of(String type, List<WindowSpec> windows, long allowedLatenessMs) {
    return new EntityTypeConfig(
        type, windows, allowedLatenessMs, defaultIdleClose(windows, allowedLatenessMs), new AnomalyRules(List.of()), 60, 100);
  }

  public EntityTypeConfig withAnomalies(List<AnomalyRule> rules) {
    return withAnomalies(rules, IncidentPolicy.DEFAULT);
  }

  public EntityTypeConfig withAnomalies(List<AnomalyRule> rules, IncidentPolicy incidents) {
    return new EntityTypeConfig(
        type, windows, allowedLatenessMs, idleCloseMs, new AnomalyRules(rules, incidents), recentWindowsPerSpec,
        recentAlerts, pipeline);
  }

  /** Reads one {@code tidewatch.entity-types.<type>} block. */
  public static EntityTypeConfig fromConfig(String type, Config block) {
    List<WindowSpec> windows = block.getConfigList("windows").stream().map(w -> windowFrom(type, w)).toList();
    long lateness = block.getDuration("allowed-lateness").toMillis();
    long idleClose =
        block.getString("idle-close").equals("auto")
            ? defaultIdleClose(windows, lateness)
            : block.getDuration("idle-close").toMillis();
    Pipeline pipeline = Pipeline.fromConfig(type, block);
    // Rules are written in the units readings arrive in; entities see them after the pipeline's conversions.
    List<AnomalyRule> rules = pipeline.convertThresholds(anomaliesFrom(type, block));
    IncidentPolicy incidents = IncidentPolicy.fromConfig(block);
    return new EntityTypeConfig(
        type,
        windows,
        lateness,
        idleClose,
        new AnomalyRules(rules, incidents),
        block.getInt("recent-windows-per-spec"),
        block.getInt("recent-alerts"),
        pipeline);
  }

  /** The {@code anomalies} of a type block; a model file an onnx rule cannot use stops the node naming its key. */
  private static List<AnomalyRule> anomaliesFrom(String type, Config block) {
    List<? extends Config> configured = block.getConfigList("anomalies");
    List<AnomalyRule> rules = new ArrayList<>(configured.size());
    for (int i = 0; i < configured.size(); i++) {
      try {
        rules.add(AnomalyRule.fromConfig(type, configured.get(i)));
      } catch (OnnxModel.Invalid e) {
        throw new ConfigException.BadValue(configured.get(i).origin(),
            "tidewatch.entity-types." + type + ".anomalies[" + i + "].model", e.getMessage());
      }
    }
    return rules;
  }

  /** DESIGN §3: size + allowed lateness, taking the longest window (or session gap) of the type. */
  private static long defaultIdleClose(List<WindowSpec> windows, long lateness) {
    return windows.stream().mapToLong(WindowSpec::spanMs).max().orElseThrow() + lateness;
  }

  private static WindowSpec windowFrom(String type, Config w) {
    String kind = w.getString("type");
    return switch (kind) {
      case "tumbling" -> {
        long size = w.getDuration("size").toMillis();
        yield WindowSpec.tumbling(Durations.spell(w.getString("size"), size), size);
      }
      case "sliding" -> {
        long size = w.getDuration("size").toMillis();
        long slide = w.getDuration("slide").toMillis();
        yield WindowSpec.sliding(
            Durations.spell(w.getString("size"), size), size, Durations.spell(w.getString("slide"), slide), slide);
      }
      case "session" -> {
        long gap = w.getDuration("gap").toMillis();
        yield WindowSpec.session(Durations.spell(w.getString("gap"), gap), gap);
      }
      default -> throw new IllegalArgumentException(
          "entity type " + type + ": unknown window type '" + kind + "' (tumbling, sliding or session)");
    };
  }
}
