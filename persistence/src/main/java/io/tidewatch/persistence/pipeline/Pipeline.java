package io.tidewatch.persistence.pipeline;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.tidewatch.persistence.anomaly.AnomalyRule;
import io.tidewatch.persistence.pipeline.Expressions.EvaluationFailed;
import io.tidewatch.persistence.pipeline.Expressions.Variables;
import io.tidewatch.protocol.Reading;
import io.tidewatch.protocol.ReadingParser;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The ordered cleaning steps of one entity type ({@code tidewatch.entity-types.<type>.pipeline}), run once per
 * reading after it parsed and validated and before it reaches its entity: {@code drop-if} predicates, {@code derive}
 * metrics, {@code drop-metrics} and unit {@code convert}s. Expressions are compiled once, here; a reading the steps
 * changed passes the metric rules of DESIGN §2 again, so what an entity journals obeys them whatever the pipeline.
 */
public final class Pipeline {

  /** No steps: what a type without {@code pipeline} gets, and costs nothing per reading. */
  public static final Pipeline NONE = new Pipeline(List.of());

  private final List<PipelineStep> steps;
  private final boolean changesMetrics;

  private Pipeline(List<PipelineStep> steps) {
    this.steps = List.copyOf(steps);
    this.changesMetrics = steps.stream().anyMatch(s -> !(s instanceof PipelineStep.DropIf));
  }

  /** Compiles the steps; throws {@link InvalidPipeline} naming the step's key, the expression, position and reason. */
  public static Pipeline of(List<? extends Config> steps) {
    List<PipelineStep> compiled = new ArrayList<>(steps.size());
    for (int i = 0; i < steps.size(); i++) {
      compiled.add(PipelineStep.fromConfig(i, steps.get(i)));
    }
    return compiled.isEmpty() ? NONE : new Pipeline(compiled);
  }

  /** The {@code pipeline} of one type block (none when absent); a fault stops the node naming its full key. */
  public static Pipeline fromConfig(String type, Config block) {
    if (!block.hasPath("pipeline")) {
      return NONE;
    }
    try {
      return of(block.getConfigList("pipeline"));
    } catch (InvalidPipeline e) {
      throw new ConfigException.BadValue(
          block.getValue("pipeline").origin(), "tidewatch.entity-types." + type + "." + e.key(), e.getMessage());
    }
  }

  public boolean isEmpty() {
    return steps.isEmpty();
  }

  /** Runs the steps over one valid reading. */
  public PipelineResult apply(Reading reading) {
    if (steps.isEmpty()) {
      return new PipelineResult.Kept(reading);
    }
    Variables vars = new Variables(reading);
    Map<String, Double> metrics = changesMetrics ? new HashMap<>(reading.metrics()) : reading.metrics();
    vars.metrics = metrics;
    for (PipelineStep step : steps) {
      try {
        if (step instanceof PipelineStep.DropIf d) {
          if ((Boolean) Expressions.eval(d.program(), vars)) {
            String reason = d.describe() + " matched";
            if (d.action() == PipelineStep.Action.FILTER) {
              return new PipelineResult.Filtered(d.label(), reason);
            }
            return new PipelineResult.DeadLetter("pipeline: " + reason);
          }
        } else if (step instanceof PipelineStep.Derive d) {
          metrics.put(d.metric(), (Double) Expressions.eval(d.program(), vars));
        } else if (step instanceof PipelineStep.DropMetrics d) {
          metrics.keySet().removeAll(d.metrics());
        } else if (step instanceof PipelineStep.Convert c) {
          Double value = metrics.get(c.metric());
          if (value != null) { // a reading without the metric has nothing to convert
            metrics.put(c.metric(), c.conversion().apply(value));
          }
        }
      } catch (EvaluationFailed e) {
        return new PipelineResult.DeadLetter("pipeline: " + step.describe() + " failed: " + e.getMessage());
      }
    }
    if (!changesMetrics) {
      return new PipelineResult.Kept(reading);
    }
    String problem = ReadingParser.metricsProblem(metrics);
    if (problem != null) {
      return new PipelineResult.DeadLetter("pipeline: after its steps, " + problem);
    }
    return new PipelineResult.Kept(
        new Reading(reading.entityType(), reading.entityId(), reading.ts(), metrics, reading.event(), reading.attrs()));
  }

  /**
   * How the steps make {@code metric}'s values: its {@code derive} and {@code convert} steps in order, without their
   * positions. Two pipelines that agree on it give values of the same meaning and units (what a live change keeps the
   * rules' memory of a metric by).
   */
  public List<String> shapeOf(String metric) {
    List<String> shape = new ArrayList<>(0);
    for (PipelineStep step : steps) {
      if (step instanceof PipelineStep.Convert c && c.metric().equals(metric)) {
        shape.add("convert " + c.from() + " " + c.to());
      } else if (step instanceof PipelineStep.Derive d && d.metric().equals(metric)) {
        shape.add("derive " + d.expr());
      }
    }
    return shape;
  }

  /**
   * The type's anomaly rules in the units its entities see: for each {@code convert} in order, the rules that name
   * that metric get their thresholds converted — a {@code range}'s bounds fully (affine: 212 °F becomes 100 °C), a
   * {@code delta}'s threshold by scale only (a change of 9 °F is a change of 5 °C, whatever the offset);
   * {@code zscore} and {@code rcf} are unitless and stay. A rule naming other metrics too is split so those keep
   * theirs; a {@code "*"} rule is left as written, in the units after the pipeline.
   */
  public List<AnomalyRule> convertThresholds(List<AnomalyRule> rules) {
    List<AnomalyRule> out = rules;
    for (PipelineStep step : steps) {
      if (step instanceof PipelineStep.Convert c) {
        List<AnomalyRule> next = new ArrayList<>(out.size());
        for (AnomalyRule rule : out) {
          next.addAll(ThresholdConversion.convert(rule, c.metric(), c.conversion()));
        }
        out = next;
      }
    }
    return List.copyOf(out);
  }
}
