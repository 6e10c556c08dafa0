package io.tidewatch.persistence.state;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import io.tidewatch.persistence.anomaly.AnomalyRule;
import io.tidewatch.persistence.anomaly.AnomalyRules;
import io.tidewatch.persistence.anomaly.IncidentPolicy;
import io.tidewatch.persistence.anomaly.OnnxModel;
import io.tidewatch.persistence.pipeline.InvalidPipeline;
import io.tidewatch.persistence.pipeline.Pipeline;
import io.tidewatch.protocol.TypeConfigProtocol.Sources;
import io.tidewatch.persistence.window.Durations;
import io.tidewatch.persistence.window.WindowSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * How entities of one type keep their windows and look for anomalies ({@code tidewatch.entity-types.<type>}):
 * the window specs, the allowed lateness that holds the watermark back, the processing time of silence after
 * which due windows close anyway, the anomaly rules, and how many closed windows (per spec) and alerts the state
 * keeps (the journal keeps them all), and the pipeline that cleans its readings before they reach an entity.
 *
 * @param stateTtlMs processing time of silence after which an entity's state expires ({@code state-ttl}); 0: never
 */
public record EntityTypeConfig(
    String type,
    List<WindowSpec> windows,
    long allowedLatenessMs,
    long idleCloseMs,
    AnomalyRules anomalies,
    int recentWindowsPerSpec,
    int recentAlerts,
    Pipeline pipeline,
    long stateTtlMs) {

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
    if (stateTtlMs < 0 || (stateTtlMs > 0 && stateTtlMs < idleCloseMs)) { // its windows must have closed first
      throw new IllegalArgumentException("tidewatch.entity-types." + type + ".state-ttl must be off or at least its"
          + " idle-close (" + idleCloseMs + " ms), got " + stateTtlMs + " ms");
    }
  }

  /** A type whose entities' state never expires. */
  public EntityTypeConfig(
      String type,
      List<WindowSpec> windows,
      long allowedLatenessMs,
      long idleCloseMs,
      AnomalyRules anomalies,
      int recentWindowsPerSpec,
      int recentAlerts,
      Pipeline pipeline) {
    this(type, windows, allowedLatenessMs, idleCloseMs, anomalies, recentWindowsPerSpec, recentAlerts, pipeline, 0);
  }

  /** True if the state of this type's entities expires after {@link #stateTtlMs} of silence. */
  public boolean expiresState() {
    return stateTtlMs > 0;
  }

  public EntityTypeConfig withStateTtl(long stateTtlMs) {
    return new EntityTypeConfig(type, windows, allowedLatenessMs, idleCloseMs, anomalies, recentWindowsPerSpec,
        recentAlerts, pipeline, stateTtlMs);
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
        recentAlerts, pipeline, stateTtlMs);
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
    // A model file an onnx rule cannot use stops the node naming its key; other faults name theirs already.
    List<AnomalyRule> rules = pipeline.convertThresholds(anomaliesFrom(type, block, (i, e) -> e instanceof OnnxModel.Invalid
        ? new ConfigException.BadValue(block.getConfigList("anomalies").get(i).origin(),
            "tidewatch.entity-types." + type + ".anomalies[" + i + "].model", e.getMessage())
        : e));
    IncidentPolicy incidents = IncidentPolicy.fromConfig(block);
    return new EntityTypeConfig(
        type,
        windows,
        lateness,
        idleClose,
        new AnomalyRules(rules, incidents),
        block.getInt("recent-windows-per-spec"),
        block.getInt("recent-alerts"),
        pipeline,
        stateTtlFrom(type, block));
  }

  /** {@code state-ttl}: {@code off} (also when absent) or a duration; anything else stops the node naming the key. */
  private static long stateTtlFrom(String type, Config block) {
    if (!block.hasPath("state-ttl") || block.getString("state-ttl").equals("off")) {
      return 0;
    }
    try {
      long ttl = block.getDuration("state-ttl").toMillis();
      if (ttl <= 0) {
        throw new ConfigException.BadValue(block.origin(), "state-ttl", "must be positive");
      }
      return ttl;
    } catch (ConfigException e) {
      throw new ConfigException.BadValue(block.getValue("state-ttl").origin(),
          "tidewatch.entity-types." + type + ".state-ttl", "off or a duration such as 7d, got '"
              + block.getValue("state-ttl").unwrapped() + "'");
    }
  }

  /**
   * The parts of a type block that can change at runtime, as JSON ({@link Sources}): what the first version of its
   * live configuration is made of.
   */
  public static Sources sourcesOf(Config block) {
    return new Sources(
        block.getValue("anomalies").render(ConfigRenderOptions.concise()),
        block.hasPath("pipeline") ? block.getValue("pipeline").render(ConfigRenderOptions.concise()) : "[]");
  }

  /**
   * A list of rules or steps (JSON or HOCON) in the one form versions keep, the file's ({@link #sourcesOf}): the
   * same rules given again compare equal, and add no version. Throws {@link IllegalArgumentException} if it is not
   * a list.
   */
  public static String canonical(String list) {
    try {
      return ConfigFactory.parseString("list = " + list).getList("list").render(ConfigRenderOptions.concise());
    } catch (ConfigException e) {
      throw new IllegalArgumentException("not a list: " + e.getMessage(), e);
    }
  }

  /**
   * The rules and pipeline of one version of this type's live configuration, compiled as the file's are (rules
   * written in the units readings arrive in, converted by the version's own pipeline; the incident policy stays
   * this type's); throws {@link IllegalArgumentException} naming the key ({@code anomalies[0].threshold},
   * {@code pipeline[1].expr}) and why.
   */
  public Compiled compile(Sources sources) {
    Config block;
    try {
      block = ConfigFactory.parseString("anomalies = " + sources.anomalies() + "\npipeline = " + sources.pipeline());
      block.getConfigList("anomalies");
      block.getConfigList("pipeline");
    } catch (ConfigException e) {
      throw new IllegalArgumentException("not a list of rules or steps: " + e.getMessage(), e);
    }
    Pipeline compiled;
    try {
      compiled = Pipeline.of(block.getConfigList("pipeline"));
    } catch (InvalidPipeline e) {
      throw new IllegalArgumentException(e.key() + ": " + e.getMessage(), e);
    }
    List<AnomalyRule> rules =
        anomaliesFrom(type, block, (i, e) -> new IllegalArgumentException("anomalies[" + i + "]: " + e.getMessage(), e));
    return new Compiled(new AnomalyRules(compiled.convertThresholds(rules), anomalies.incidents()), compiled);
  }

  /** What one version of a type's live configuration runs: the rules its entities judge by and the ingest's pipeline. */
  public record Compiled(AnomalyRules rules, Pipeline pipeline) {}

  /**
   * The {@code anomalies} of a type block; a rule that cannot be read throws what {@code fault} makes of its index and
   * the cause (OnnxModel.Invalid among them).
   */
  private static List<AnomalyRule> anomaliesFrom(
      String type, Config block, BiFunction<Integer, RuntimeException, RuntimeException> fault) {
    List<? extends Config> configured = block.getConfigList("anomalies");
    List<AnomalyRule> rules = new ArrayList<>(configured.size());
    for (int i = 0; i < configured.size(); i++) {
      try {
        rules.add(AnomalyRule.fromConfig(type, configured.get(i)));
      } catch (IllegalArgumentException | ConfigException e) {
        throw fault.apply(i, e);
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
