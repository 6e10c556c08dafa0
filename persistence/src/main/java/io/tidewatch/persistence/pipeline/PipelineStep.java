package io.tidewatch.persistence.pipeline;

import com.typesafe.config.Config;
import dev.cel.runtime.CelRuntime;
import java.util.Set;

/** One step of a type's pipeline, as {@code tidewatch.entity-types.<type>.pipeline[i]} declares it. */
sealed interface PipelineStep {

  /** What the metric {@code tidewatch_readings_filtered_total} and the dead-letter reasons call it. */
  String label();

  /** The step in its own words, for a reason a person reads. */
  String describe();

  /** What a dropped reading becomes: a dead letter (a fault to look at) or filtered (expected, only counted). */
  enum Action {
    DEAD_LETTER,
    FILTER
  }

  record DropIf(String label, String expr, Action action, CelRuntime.Program program) implements PipelineStep {
    public String describe() {
      return label + " drop-if \"" + expr + "\"";
    }
  }

  record Derive(String label, String metric, String expr, CelRuntime.Program program) implements PipelineStep {
    public String describe() {
      return label + " derive " + metric + " = \"" + expr + "\"";
    }
  }

  record DropMetrics(String label, Set<String> metrics) implements PipelineStep {
    public String describe() {
      return label + " drop-metrics " + metrics;
    }
  }

  record Convert(String label, String metric, String from, String to, Units.Conversion conversion)
      implements PipelineStep {
    public String describe() {
      return label + " convert " + metric + " from " + from + " to " + to;
    }
  }

  /** Reads and compiles step {@code index}; throws {@link InvalidPipeline} naming the key at fault. */
  static PipelineStep fromConfig(int index, Config step) {
    String at = "pipeline[" + index + "]";
    try {
      if (step.hasPath("drop-if")) {
        String action = step.hasPath("action") ? step.getString("action") : "dead-letter";
        Action a = switch (action) {
          case "dead-letter" -> Action.DEAD_LETTER;
          case "filter" -> Action.FILTER;
          default -> throw new InvalidPipeline(at + ".action", "action must be dead-letter or filter, got " + action);
        };
        String expr = step.getString("drop-if");
        return new DropIf(index + ":drop-if", expr, a, Expressions.predicate(at + ".drop-if", expr));
      }
      if (step.hasPath("derive")) {
        String expr = step.getString("expr");
        return new Derive(index + ":derive", step.getString("derive"), expr, Expressions.value(at + ".expr", expr));
      }
      if (step.hasPath("drop-metrics")) {
        return new DropMetrics(index + ":drop-metrics", Set.copyOf(step.getStringList("drop-metrics")));
      }
      if (step.hasPath("convert")) {
        String from = step.getString("from");
        String to = step.getString("to");
        try {
          return new Convert(index + ":convert", step.getString("convert"), from, to, Units.between(from, to));
        } catch (IllegalArgumentException e) {
          throw new InvalidPipeline(at + ".to", e.getMessage());
        }
      }
    } catch (com.typesafe.config.ConfigException.Missing | com.typesafe.config.ConfigException.WrongType e) {
      throw new InvalidPipeline(at, e.getMessage());
    }
    throw new InvalidPipeline(at, "a step needs one of drop-if, derive (with expr), drop-metrics or convert (with from, to)");
  }
}
