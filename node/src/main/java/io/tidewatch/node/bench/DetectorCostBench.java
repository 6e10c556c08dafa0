package io.tidewatch.node.bench;

import com.typesafe.config.ConfigFactory;
import io.tidewatch.node.simulate.Tw1Workload;
import io.tidewatch.persistence.state.EntityState;
import io.tidewatch.persistence.state.EntityTypeConfig;
import io.tidewatch.persistence.state.RecordPlan;
import io.tidewatch.protocol.EntityProtocol;
import io.tidewatch.protocol.EntityProtocol.AnomalyDetected;
import io.tidewatch.protocol.EntityProtocol.Event;
import io.tidewatch.protocol.EntityProtocol.IncidentChanged;
import io.tidewatch.protocol.EntityProtocol.SourcedReading;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What each anomaly detector adds to an entity's work per reading: TW-1's readings (temperature only, its spikes
 * included) folded through the entity's own {@link RecordPlan} — windows, watermark, rules, incidents, the events a
 * command journals — in commands of {@value #PER_COMMAND} readings per entity, as the ingest batches a backlog, once
 * per detector set. No actor, journal or Kafka: only the fold, so the differences are the detectors' own. Every set
 * runs once to warm the JIT up, then the sets take turns for {@value #MEASURED_PASSES} passes each on fresh states;
 * the median pass counts, in this thread's CPU time.
 */
public final class DetectorCostBench {

  static final int PER_COMMAND = 45;
  static final int MEASURED_PASSES = 3;

  /** The workload and, optionally, an ONNX model taking one feature (temperature) for the {@code onnx} set. */
  public record Settings(int sensors, int rounds, String onnxModel) {}

  private final Settings settings;

  public DetectorCostBench(Settings settings) {
    this.settings = settings;
  }

  private Map<String, String> detectorSets() {
    Map<String, String> sets = new LinkedHashMap<>();
    sets.put("none", "");
    sets.put("delta (TW-1's)", "{ rule = delta, metrics = [temperature], threshold = 5.0 }");
    sets.put("delta + zscore", "{ rule = delta, metrics = [temperature], threshold = 5.0 },"
        + " { rule = zscore, metrics = [temperature], k = 4.0, window = 60, min-samples = 20 }");
    sets.put("rcf (30 trees x 128)", "{ rule = rcf, metrics = [temperature], threshold = 3.0 }");
    if (settings.onnxModel() != null) {
      sets.put("onnx", "{ rule = onnx, metrics = [temperature], threshold = 3.0, model = \"" + settings.onnxModel() + "\" }");
    }
    return sets;
  }

  private static EntityTypeConfig config(String anomalies) {
    return EntityTypeConfig.fromConfig("sensor", ConfigFactory.parseString(
        "windows = [{ type = tumbling, size = 60s }], allowed-lateness = 5s, idle-close = auto, recent-windows-per-spec = 60, "
            + "recent-alerts = 100, anomalies = [" + anomalies + "]"));
  }

  /** CPU time, hits and incident transitions of one pass over the workload. */
  private record Pass(long cpuNanos, long readings, long hits, long transitions) {}

  private Pass pass(EntityTypeConfig config, Tw1Workload workload) {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    Map<String, EntityState> states = new LinkedHashMap<>();
    Map<String, Long> seqNrs = new LinkedHashMap<>();
    Map<String, List<SourcedReading>> pending = new LinkedHashMap<>();
    long[] counts = new long[3];
    long[] offset = {0};
    long start = threads.getCurrentThreadCpuTime();
    workload.forEach(r -> {
      List<SourcedReading> batch = pending.computeIfAbsent(r.entityId(), id -> new ArrayList<>(PER_COMMAND));
      batch.add(SourcedReading.of(r.reading(), 0, offset[0]++));
      if (batch.size() == PER_COMMAND) {
        record(config, r.entityId(), batch, states, seqNrs, counts);
        batch.clear();
      }
    });
    pending.forEach((id, batch) -> record(config, id, batch, states, seqNrs, counts));
    return new Pass(threads.getCurrentThreadCpuTime() - start, counts[0], counts[1], counts[2]);
  }

  private static void record(
      EntityTypeConfig config, String id, List<SourcedReading> batch, Map<String, EntityState> states,
      Map<String, Long> seqNrs, long[] counts) {
    if (batch.isEmpty()) {
      return;
    }
    EntityState state = states.computeIfAbsent(id, i -> new EntityState(config, i));
    long seqNr = seqNrs.getOrDefault(id, 0L);
    RecordPlan plan = RecordPlan.record(state, EntityProtocol.DEFAULT_TOPIC, List.copyOf(batch), seqNr, 0);
    seqNrs.put(id, seqNr + 1);
    counts[0] += plan.recorded();
    for (Event e : plan.events()) {
      counts[1] += e instanceof AnomalyDetected ? 1 : 0;
      counts[2] += e instanceof IncidentChanged ? 1 : 0;
    }
  }

  public String run() {
    Tw1Workload workload = new Tw1Workload(settings.sensors(), settings.rounds(), 1);
    StringBuilder report = new StringBuilder(String.format(Locale.ROOT,
        "detector-cost: TW-1 (%,d sensors x %,d rounds = %,d readings, temperature), folded through RecordPlan in commands of %d readings per entity, median of %d passes after one warm-up pass of each set, %s%n",
        settings.sensors(), settings.rounds(), workload.size(), PER_COMMAND, MEASURED_PASSES, Instant.now()));
    Map<String, EntityTypeConfig> sets = new LinkedHashMap<>();
    detectorSets().forEach((name, anomalies) -> sets.put(name, config(anomalies)));
    sets.values().forEach(config -> pass(config, workload)); // every set's code compiled before any is measured
    Map<String, List<Pass>> passes = new LinkedHashMap<>();
    for (int round = 0; round < MEASURED_PASSES; round++) { // sets take turns, so drift hits each alike
      sets.forEach((name, config) -> passes.computeIfAbsent(name, n -> new ArrayList<>()).add(pass(config, workload)));
    }
    double baseline = Double.NaN;
    for (Map.Entry<String, List<Pass>> set : passes.entrySet()) {
      List<Pass> measured = new ArrayList<>(set.getValue());
      measured.sort(java.util.Comparator.comparingLong(Pass::cpuNanos));
      Pass median = measured.get(measured.size() / 2);
      double perReading = (double) median.cpuNanos() / median.readings();
      if (Double.isNaN(baseline)) {
        baseline = perReading;
      }
      report.append(String.format(Locale.ROOT,
          "  %-22s %,8.0f ns CPU per reading (detectors: %+,8.0f ns); %,d hits, %,d incident transitions%n",
          set.getKey(), perReading, perReading - baseline, median.hits(), median.transitions()));
    }
    return report.append(String.format(Locale.ROOT, "  JVM: %s%n",
        String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()))).toString();
  }
}
