package io.tidewatch.node.bench;

import io.tidewatch.deploy.FreePorts;
import io.tidewatch.deploy.LocalInfra;
import io.tidewatch.node.simulate.Tw1Producer;
import io.tidewatch.node.simulate.Tw1Workload;
import io.tidewatch.persistence.anomaly.AnomalyRule;
import io.tidewatch.persistence.state.EntityState;
import io.tidewatch.persistence.state.EntityTypeConfig;
import io.tidewatch.persistence.state.RecordPlan;
import io.tidewatch.persistence.window.WindowSpec;
import io.tidewatch.protocol.EntityProtocol;
import io.tidewatch.protocol.EntityProtocol.Event;
import io.tidewatch.protocol.EntityProtocol.SourcedReading;
import io.tidewatch.protocol.EntityProtocol.WindowClosed;
import io.tidewatch.protocol.ReadingFormat;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Workload TW-1 (shared/bench/TW-1.md): produces the backlog to a fresh local Kafka, starts a node as a child JVM
 * with a new consumer group, and measures the time from its launch until every input offset is committed, with
 * the node's and Cassandra's CPU seconds and peak RSS; then checks every sensor's counts, windows and alerts
 * against a sequential fold of the same readings through the entity's own state. The records are JSON or protobuf.
 */
public final class Tw1Bench {

  /** The benchmark's own node reads its results with this token only. */
  private static final String TOKEN = "tw1-bench-" + java.util.UUID.randomUUID();

  private static final String TOPIC = "tidewatch.readings";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Tw1Workload workload;
  private final ReadingFormat format;
  private final Path home;
  private final Path workDir;
  private final String nodeHeap;
  private final int batchSize;
  private final String batchWindow;
  private final String backlogBatchWindow;
  private final boolean pipeline;

  /**
   * With {@code --pipeline}: two CEL predicates that keep every TW-1 reading and add no metric (TW-1's readings have
   * no attributes: a predicate reading one would dead-letter them all), so that the difference to a run without them
   * is what evaluating two expressions per reading costs the node, and nothing else (same journal, windows, outputs).
   */
  static final String TWO_PREDICATES = """
      tidewatch.entity-types.sensor.pipeline = [
        { drop-if = "metrics.temperature < -50.0", action = filter }
        { drop-if = "metrics.temperature > 1000.0", action = dead-letter }
      ]""";

  public Tw1Bench(
      Tw1Workload workload, ReadingFormat format, Path home, Path workDir, String nodeHeap, int batchSize,
      String batchWindow, String backlogBatchWindow, boolean pipeline) {
    this.workload = workload;
    this.format = format;
    this.home = home;
    this.workDir = workDir;
    this.nodeHeap = nodeHeap;
    this.batchSize = batchSize;
    this.batchWindow = batchWindow;
    this.backlogBatchWindow = backlogBatchWindow;
    this.pipeline = pipeline;
  }

  /** TW-1's processing: tumbling 60 s windows, allowed lateness 5 s, delta > 5.0 on temperature. */
  static EntityTypeConfig sensorConfig() {
    EntityTypeConfig base = EntityTypeConfig.of("sensor", List.of(WindowSpec.tumbling("60s", 60_000)), 5_000);
    return new EntityTypeConfig(
            base.type(), base.windows(), base.allowedLatenessMs(), Duration.ofHours(1).toMillis(), base.anomalies(), 60, 100)
        .withAnomalies(List.of(new AnomalyRule.Delta(List.of("temperature"), 5.0)));
  }

  public String run() throws Exception {
    Files.createDirectories(workDir);
    try (LocalInfra infra = LocalInfra.start(workDir.resolve("infra"), LocalInfra.Ports.free(), Map.of(TOPIC, 4, "tidewatch.dead-letters", 1, "tidewatch.aggregates", 4, "tidewatch.alerts", 4, "tidewatch.incidents", 4))) {
      double produceSeconds = produce(infra.kafkaBootstrapServers());
      Expected expected = expected();
      int httpPort = FreePorts.next();
      Path config = writeNodeConfig(infra, httpPort);
      long cassandraCpuBefore = ProcessStats.cpuMillis(infra.cassandra().pid());
      long start = System.nanoTime();
      Process node = BenchNode.start(home, workDir, nodeHeap, config);
      try {
        Progress progress = awaitAllCommitted(infra.kafkaBootstrapServers(), node, start);
        double seconds = (System.nanoTime() - start) / 1e9;
        long nodeCpu = ProcessStats.cpuMillis(node.pid());
        long nodeRss = ProcessStats.peakRssKb(node.pid());
        long cassandraCpu = ProcessStats.cpuMillis(infra.cassandra().pid()) - cassandraCpuBefore;
        long cassandraRss = ProcessStats.peakRssKb(infra.cassandra().pid());
        Map<String, Double> metrics = metrics(httpPort);
        Results actual = query(httpPort, expected);
        return report(produceSeconds, seconds, progress, nodeCpu, nodeRss, cassandraCpu, cassandraRss, expected, actual, metrics);
      } finally {
        node.destroy();
        node.waitFor(60, TimeUnit.SECONDS);
      }
    }
  }

  private double produce(String bootstrap) {
    long start = System.nanoTime();
    long sent = Tw1Producer.produce(workload, bootstrap, TOPIC, format);
    double seconds = (System.nanoTime() - start) / 1e9;
    System.err.printf(Locale.ROOT, "tw1: produced %,d readings as %s in %.1f s%n", sent, format, seconds);
    return seconds;
  }

  /** Totals the semantics give: each sensor's readings folded in order through the entity's own state. */
  private record Expected(long readings, long late, long windows, long alerts, Map<String, long[]> perEntity) {}

  private Expected expected() {
    EntityTypeConfig config = sensorConfig();
    Map<String, EntityState> states = new HashMap<>();
    Map<String, Long> offsets = new HashMap<>();
    Map<String, long[]> closed = new HashMap<>();
    workload.forEach(r -> {
      EntityState state = states.computeIfAbsent(r.entityId(), id -> new EntityState(config, id));
      long offset = offsets.merge(r.entityId(), 1L, Long::sum);
      var reading = new SourcedReading(r.ts(), Map.of("temperature", r.temperature()), null, Map.of(), 0, offset);
      for (Event e : RecordPlan.record(state, EntityProtocol.DEFAULT_TOPIC, List.of(reading), 0, 0).events()) {
        if (e instanceof WindowClosed) {
          closed.computeIfAbsent(r.entityId(), id -> new long[1])[0]++;
        }
      }
    });
    Map<String, long[]> perEntity = new HashMap<>();
    long readings = 0, late = 0, windows = 0, alerts = 0;
    for (var entry : states.entrySet()) {
      EntityState s = entry.getValue();
      long w = closed.getOrDefault(entry.getKey(), new long[1])[0];
      perEntity.put(entry.getKey(), new long[] {s.readings(), s.lateReadings(), w, s.anomalies()});
      readings += s.readings();
      late += s.lateReadings();
      windows += w;
      alerts += s.anomalies();
    }
    return new Expected(readings, late, windows, alerts, perEntity);
  }

  private Path writeNodeConfig(LocalInfra infra, int httpPort) throws IOException {
    return BenchNode.writeConfig(workDir, infra, "tw1-" + Instant.now().toEpochMilli(), httpPort, TOKEN,
        "1h", // results must not depend on how long the catch-up takes
        List.of(
            "tidewatch.ingest.batch-size = " + batchSize,
            "tidewatch.ingest.batch-window = " + batchWindow,
            "tidewatch.ingest.backlog-batch-window = " + backlogBatchWindow,
            "tidewatch.ingest.ask-timeout = 60s",
            pipeline ? TWO_PREDICATES : ""));
  }

  /**
   * When commits came, in seconds since the node's launch: the first one, and the first look at which at least
   * {@link #STEADY_FROM} of the input was committed (with how much was), which starts the steady rate.
   */
  private record Progress(double firstCommitSeconds, double steadyFromSeconds, long steadyFromCommitted) {

    /** Readings committed per second from {@code steadyFromSeconds} until all {@code total} were, at {@code endSeconds}. */
    double steadyRate(long total, double endSeconds) {
      return (total - steadyFromCommitted) / Math.max(1e-9, endSeconds - steadyFromSeconds);
    }
  }

  /** The steady rate counts from the moment this share of the input is committed (the cold start is behind). */
  private static final double STEADY_FROM = 0.2;

  private Progress awaitAllCommitted(String bootstrap, Process node, long launchNanos) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      ConsumerLag lag = null;
      long lastReport = System.nanoTime();
      double firstCommit = Double.NaN;
      double steadyFrom = Double.NaN;
      long steadyFromCommitted = 0;
      while (true) {
        if (!node.isAlive()) {
          throw new IllegalStateException("the node exited with " + node.exitValue() + "; see " + workDir.resolve("node.log"));
        }
        if (lag == null) { // the node names its group when it starts
          lag = admin.listConsumerGroups().all().get().stream()
              .map(g -> g.groupId()).filter(g -> g.startsWith("tw1-")).findFirst()
              .map(group -> new ConsumerLag(admin, group, TOPIC)).orElse(null);
        }
        if (lag != null) {
          ConsumerLag.Sample sample = lag.sample();
          double now = (System.nanoTime() - launchNanos) / 1e9;
          long committed = sample.committedTotal();
          if (committed > 0 && Double.isNaN(firstCommit)) {
            firstCommit = now;
          }
          if (committed >= STEADY_FROM * workload.size() && Double.isNaN(steadyFrom)) {
            steadyFrom = now;
            steadyFromCommitted = committed;
          }
          if (sample.lag() == 0) {
            return new Progress(firstCommit, steadyFrom, steadyFromCommitted);
          }
          if (System.nanoTime() - lastReport > 5e9) {
            lastReport = System.nanoTime();
            System.err.printf(Locale.ROOT, "tw1: %,d of %,d committed%n", committed, sample.endTotal());
          }
        }
        node.waitFor(200, TimeUnit.MILLISECONDS);
      }
    }
  }

  private record Results(long readings, long late, long windows, long alerts, long events, long mismatched, List<String> examples) {}

  private static HttpRequest authorized(String url) {
    return HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + TOKEN).build();
  }

  /** The node's Prometheus samples, summed over their labels. */
  private static final Pattern BUCKET_BOUND = Pattern.compile("_bucket\\{.*le=\"([^\"]+)\"");

  public static Map<String, Double> metrics(int httpPort) throws Exception {
    String body = HttpClient.newHttpClient()
        .send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
    Map<String, Double> sums = new HashMap<>();
    for (String line : body.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int space = line.lastIndexOf(' ');
      int labels = line.indexOf('{');
      String name = line.substring(0, labels >= 0 && labels < space ? labels : space);
      double value = Double.parseDouble(line.substring(space + 1));
      sums.merge(name, value, Double::sum);
      Matcher bucket = BUCKET_BOUND.matcher(line);
      if (bucket.find()) {
        sums.merge(name + " le=" + bucket.group(1), value, Double::sum);
      }
    }
    return sums;
  }

  /**
   * The upper bound (ms) of the histogram bucket where the quantile {@code q} of the timer {@code name} falls:
   * Prometheus buckets are cumulative, so it is the smallest bound whose count reaches q of the total.
   */
  private static String quantileMs(Map<String, Double> metrics, String name, double q) {
    double count = metrics.getOrDefault(name + "_count", 0.0);
    String prefix = name + "_bucket le=";
    return metrics.entrySet().stream()
        .filter(e -> e.getKey().startsWith(prefix) && !e.getKey().endsWith("+Inf") && e.getValue() >= q * count)
        .mapToDouble(e -> Double.parseDouble(e.getKey().substring(prefix.length())))
        .min()
        .stream()
        .mapToObj(bound -> String.format(Locale.ROOT, "%.1f ms", bound * 1000))
        .findFirst()
        .orElse("over the largest bucket");
  }

  private Results query(int httpPort, Expected expected) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    long readings = 0, late = 0, windows = 0, alerts = 0, events = 0, mismatched = 0;
    List<String> examples = new ArrayList<>();
    for (var entry : expected.perEntity().entrySet()) {
      String base = "http://127.0.0.1:" + httpPort + "/api/v1/entities/sensor/" + entry.getKey();
      JsonNode state = JSON.readTree(http.send(authorized(base), HttpResponse.BodyHandlers.ofString()).body());
      JsonNode page = JSON.readTree(http.send(authorized(base + "/windows?limit=1000"), HttpResponse.BodyHandlers.ofString()).body());
      long[] actual = {state.get("readings").asLong(), state.get("lateReadings").asLong(), page.get("items").size(), state.get("anomalies").asLong()};
      readings += actual[0];
      late += actual[1];
      windows += actual[2];
      alerts += actual[3];
      events += state.get("lastSeqNr").asLong();
      if (!java.util.Arrays.equals(actual, entry.getValue())) {
        mismatched++;
        if (examples.size() < 5) {
          examples.add(entry.getKey() + " expected " + java.util.Arrays.toString(entry.getValue()) + " got " + java.util.Arrays.toString(actual));
        }
      }
    }
    return new Results(readings, late, windows, alerts, events, mismatched, examples);
  }

  private String report(
      double produceSeconds, double seconds, Progress progress, long nodeCpu, long nodeRss, long cassandraCpu,
      long cassandraRss, Expected expected, Results actual, Map<String, Double> metrics) {
    double millions = workload.size() / 1e6;
    double batches = metrics.getOrDefault("tidewatch_ingest_batch_records_count", 0.0);
    double asks = metrics.getOrDefault("tidewatch_ingest_ask_readings_count", 0.0);
    double persists = metrics.getOrDefault("tidewatch_persist_seconds_count", 0.0);
    return String.format(
        Locale.ROOT,
        "TW-1 (%,d sensors x %,d readings = %,d, as %s, %s), %s, ingest batches of up to %,d records or %s (%s while behind)%n"
            + "  produced in %.1f s; node from launch to every offset committed: %.1f s = %,.0f readings/s%n"
            + "  first commit %.1f s after launch; steady rate %,.0f readings/s (from %,d committed, %.0f %%, at %.1f s, to all)%n"
            + "  node: %.1f CPU s, peak RSS %,d MiB; Cassandra: %.1f CPU s, peak RSS %,d MiB%n"
            + "  CPU s per million readings: node %.1f + Cassandra %.1f = %.1f%n"
            + "  journal events %,d (%.1f readings per event)%n"
            + "  ingest: %,.0f batches (%,.0f records each), %,.0f asks (%.1f readings each), %,.0f persists (%.1f events each)%n"
            + "  outputs: %,.0f records (windows per metric, alerts) in %,.0f publishes; publish latency p50 <= %s, p99 <= %s%n"
            + "  readings %,d (expected %,d), late %,d (expected %,d), windows closed %,d (expected %,d), alerts %,d (expected %,d)%n"
            + "  sensors whose results differ from the sequential fold: %,d %s%n%s",
        workload.sensors(), workload.size() / workload.sensors(), workload.size(), format,
        pipeline ? "pipeline of two CEL predicates" : "no pipeline", Instant.now(), batchSize,
        batchWindow, backlogBatchWindow,
        produceSeconds, seconds, workload.size() / seconds,
        progress.firstCommitSeconds(), progress.steadyRate(workload.size(), seconds), progress.steadyFromCommitted(),
        100.0 * progress.steadyFromCommitted() / workload.size(), progress.steadyFromSeconds(),
        nodeCpu / 1000.0, nodeRss / 1024, cassandraCpu / 1000.0, cassandraRss / 1024,
        nodeCpu / 1000.0 / millions, cassandraCpu / 1000.0 / millions, (nodeCpu + cassandraCpu) / 1000.0 / millions,
        actual.events(), workload.size() / (double) Math.max(1, actual.events()),
        batches, metrics.getOrDefault("tidewatch_ingest_batch_records_sum", 0.0) / Math.max(1, batches),
        asks, metrics.getOrDefault("tidewatch_ingest_ask_readings_sum", 0.0) / Math.max(1, asks),
        persists, actual.events() / Math.max(1, persists),
        metrics.getOrDefault("tidewatch_output_records_total", 0.0),
        metrics.getOrDefault("tidewatch_output_publish_seconds_count", 0.0),
        quantileMs(metrics, "tidewatch_output_publish_seconds", 0.5),
        quantileMs(metrics, "tidewatch_output_publish_seconds", 0.99),
        actual.readings(), expected.readings(), actual.late(), expected.late(), actual.windows(), expected.windows(),
        actual.alerts(), expected.alerts(),
        actual.mismatched(), actual.examples().isEmpty() ? "" : actual.examples(),
        BenchNode.jvmOptions());
  }
}
