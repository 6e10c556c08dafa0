package io.tidewatch.node.bench;

import com.typesafe.config.ConfigFactory;
import io.tidewatch.node.simulate.Tw1Workload;
import io.tidewatch.persistence.pipeline.Pipeline;
import io.tidewatch.persistence.pipeline.PipelineResult;
import io.tidewatch.protocol.Reading;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a type's pipeline costs per reading on the ingest's hot path: TW-1's readings (one temperature each, with a
 * site attribute) through a pipeline of two CEL expressions (a {@code drop-if} and a {@code derive}), against the
 * same readings through no pipeline, on one thread after a warm-up. In-process, no brokers: the pipeline is a pure
 * function of the reading, so this is its whole cost; the ingest runs it once per reading, in parallel batches.
 */
public final class PipelineBench {

  /** Two expressions, the shape the aim (≤ 1 µs per expression per reading) is stated for. */
  static final String TWO_EXPRESSIONS = """
      pipeline = [
        { drop-if = "metrics.temperature < -50.0 || attrs.site == 'test-bench'", action = filter }
        { derive = temperature_f, expr = "metrics.temperature * 1.8 + 32.0" }
      ]""";

  private final List<Reading> readings;
  private final int passes;

  public PipelineBench(Tw1Workload workload, int passes) {
    List<Reading> all = new ArrayList<>((int) workload.size());
    workload.forEach(r -> all.add(
        new Reading("sensor", r.entityId(), r.ts(), Map.of("temperature", r.temperature()), null, Map.of("site", "plant-1"))));
    this.readings = all;
    this.passes = passes;
  }

  public String run() {
    Pipeline pipeline = Pipeline.of(ConfigFactory.parseString(TWO_EXPRESSIONS).getConfigList("pipeline"));
    time(pipeline, Pipeline.NONE); // warm-up: both paths compiled by the JIT before anything is measured
    long[] none = time(Pipeline.NONE, null);
    long[] two = time(pipeline, null);
    long n = (long) readings.size() * passes;
    double perReading = (double) (two[0] - none[0]) / n;
    return String.format(
        Locale.ROOT,
        "bench pipeline: %d TW-1 readings x %d passes, one thread, after a warm-up pass of each%n"
            + "  no pipeline:            %7.1f ns/reading%n"
            + "  drop-if + derive (CEL): %7.1f ns/reading, %.1f ns over none, %.1f ns per expression per reading"
            + " (aim <= 1000); %d kept%n",
        readings.size(), passes, (double) none[0] / n, (double) two[0] / n, perReading, perReading / 2, two[1]);
  }

  /** Nanoseconds for all passes, and how many readings were kept (so the work cannot be optimised away). */
  private long[] time(Pipeline pipeline, Pipeline alsoWarm) {
    long kept = 0;
    long started = System.nanoTime();
    for (int pass = 0; pass < passes; pass++) {
      for (Reading reading : readings) {
        if (pipeline.apply(reading) instanceof PipelineResult.Kept k && !k.reading().metrics().isEmpty()) {
          kept++;
        }
        if (alsoWarm != null) {
          alsoWarm.apply(reading);
        }
      }
    }
    return new long[] {System.nanoTime() - started, kept};
  }
}
