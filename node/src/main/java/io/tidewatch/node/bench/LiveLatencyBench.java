package io.tidewatch.node.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidewatch.deploy.FreePorts;
import io.tidewatch.deploy.LocalInfra;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Live latency: with a steady load of {@code rate} readings/s over {@code sensors} sensors ({@link PacedLoad}) on
 * one node, how long a reading takes from the producer's send to being visible in its entity's state over HTTP.
 * Probes are readings with their own metric {@code probe} = a sequence number, sent to random sensors by a few
 * probers at once; each prober polls {@code GET /entities/sensor/{id}} until {@code lastValues.probe} shows its
 * number. The load runs for {@code warmup} first, so every sensor is awake and the JIT has done its work.
 */
public final class LiveLatencyBench {

  private static final String TOPIC = "tidewatch.readings";
  private static final String TOKEN = "live-bench-" + java.util.UUID.randomUUID();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration POLL = Duration.ofMillis(10);
  private static final Duration GIVE_UP = Duration.ofSeconds(30);

  /** What to run: the load, how long to warm up and to measure, and how many probes are out at once. */
  public record Settings(int sensors, int rate, Duration warmup, Duration measure, int probers, String nodeHeap) {}

  private final Settings settings;
  private final Path home;
  private final Path workDir;

  public LiveLatencyBench(Settings settings, Path home, Path workDir) {
    this.settings = settings;
    this.home = home;
    this.workDir = workDir;
  }

  public String run() throws Exception {
    Files.createDirectories(workDir);
    try (LocalInfra infra = LocalInfra.start(
        workDir.resolve("infra"), LocalInfra.Ports.free(),
        Map.of(TOPIC, 4, "tidewatch.dead-letters", 1, "tidewatch.aggregates", 4, "tidewatch.alerts", 4, "tidewatch.incidents", 4))) {
      int httpPort = FreePorts.next();
      // Live: the ingest's own batch window (200 ms by default), as a deployment runs it.
      Path config = BenchNode.writeConfig(
          workDir, infra, "live-" + Instant.now().toEpochMilli(), httpPort, TOKEN, "auto", List.of());
      Process node = BenchNode.start(home, workDir, settings.nodeHeap(), config);
      try {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        awaitHttp(http, httpPort, node, TOKEN);
        try (PacedLoad load = PacedLoad.start(infra.kafkaBootstrapServers(), TOPIC, settings.sensors(), settings.rate())) {
          Thread.sleep(settings.warmup().toMillis());
          long nodeCpu = ProcessStats.cpuMillis(node.pid());
          long cassandraCpu = ProcessStats.cpuMillis(infra.cassandra().pid());
          long loadBefore = load.acknowledged();
          Map<String, Double> metricsBefore = Tw1Bench.metrics(httpPort);
          long start = System.nanoTime();
          Probes probes = probe(infra.kafkaBootstrapServers(), http, httpPort);
          double seconds = (System.nanoTime() - start) / 1e9;
          double loadRate = (load.acknowledged() - loadBefore) / seconds;
          Map<String, Double> metricsAfter = Tw1Bench.metrics(httpPort);
          return report(probes, seconds, loadRate,
              delta(metricsBefore, metricsAfter, "tidewatch_ingest_ask_readings_count") / seconds,
              delta(metricsBefore, metricsAfter, "tidewatch_ingest_ask_readings_sum")
                  / Math.max(1, delta(metricsBefore, metricsAfter, "tidewatch_ingest_ask_readings_count")),
              (ProcessStats.cpuMillis(node.pid()) - nodeCpu) / 1000.0,
              (ProcessStats.cpuMillis(infra.cassandra().pid()) - cassandraCpu) / 1000.0);
        }
      } finally {
        node.destroy();
        node.waitFor(60, TimeUnit.SECONDS);
      }
    }
  }

  /** The latencies seen, in milliseconds, and the probes whose reading never showed within {@link #GIVE_UP}. */
  private record Probes(List<Double> latenciesMs, long lost) {}

  private Probes probe(String bootstrap, HttpClient http, int httpPort) throws Exception {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
    AtomicLong lost = new AtomicLong();
    AtomicLong sequence = new AtomicLong();
    long until = System.nanoTime() + settings.measure().toNanos();
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
      List<Thread> probers = new ArrayList<>();
      List<Exception> failures = Collections.synchronizedList(new ArrayList<>());
      for (int p = 0; p < settings.probers(); p++) {
        Thread prober = new Thread(() -> {
          try {
            while (System.nanoTime() < until) {
              String id = PacedLoad.sensorId(ThreadLocalRandom.current().nextInt(settings.sensors()));
              long seq = sequence.incrementAndGet();
              String reading = String.format(Locale.ROOT,
                  "{\"entityType\":\"sensor\",\"entityId\":\"%s\",\"ts\":%d,\"metrics\":{\"temperature\":20.5,\"probe\":%d}}",
                  id, System.currentTimeMillis(), seq);
              long sent = System.nanoTime();
              producer.send(new ProducerRecord<>(TOPIC, id, reading));
              if (awaitVisible(http, httpPort, id, seq, sent)) {
                latencies.add((System.nanoTime() - sent) / 1e6);
              } else {
                lost.incrementAndGet();
              }
            }
          } catch (Exception e) {
            failures.add(e);
          }
        }, "tidewatch-live-probe-" + p);
        prober.start();
        probers.add(prober);
      }
      for (Thread prober : probers) {
        prober.join();
      }
      if (!failures.isEmpty()) {
        throw new IllegalStateException("a prober failed: " + failures.get(0), failures.get(0));
      }
    }
    return new Probes(List.copyOf(latencies), lost.get());
  }

  /** Polls the sensor's state until its {@code probe} metric shows {@code seq}; false after {@link #GIVE_UP}. */
  private static boolean awaitVisible(HttpClient http, int httpPort, String id, long seq, long sentNanos)
      throws Exception {
    HttpRequest get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/api/v1/entities/sensor/" + id))
        .header("Authorization", "Bearer " + TOKEN)
        .timeout(Duration.ofSeconds(10))
        .build();
    while (System.nanoTime() - sentNanos < GIVE_UP.toNanos()) {
      HttpResponse<String> response = http.send(get, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() == 200) {
        JsonNode probe = JSON.readTree(response.body()).path("lastValues").path("probe");
        if (probe.isNumber() && probe.asLong() == seq) {
          return true;
        }
      } else if (response.statusCode() != 404) { // 404: its first readings are not listed yet
        throw new IllegalStateException("GET " + get.uri() + " answered " + response.statusCode() + ": " + response.body());
      }
      Thread.sleep(POLL.toMillis());
    }
    return false;
  }

  /** Waits until the node's API answers {@code token} (a reader). */
  static void awaitHttp(HttpClient http, int httpPort, Process node, String token) throws Exception {
    HttpRequest get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/api/v1/entities/sensor?limit=1"))
        .header("Authorization", "Bearer " + token)
        .build();
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (System.nanoTime() < deadline) {
      if (!node.isAlive()) {
        throw new IllegalStateException("the node exited with " + node.exitValue() + "; see the node.log in the work dir");
      }
      try {
        if (http.send(get, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (java.io.IOException notYet) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("the node's HTTP API did not answer within 2 minutes");
  }

  private static double delta(Map<String, Double> before, Map<String, Double> after, String name) {
    return after.getOrDefault(name, 0.0) - before.getOrDefault(name, 0.0);
  }

  private String report(
      Probes probes, double seconds, double loadRate, double asksPerSecond, double readingsPerAsk, double nodeCpu,
      double cassandraCpu) {
    List<Double> sorted = new ArrayList<>(probes.latenciesMs());
    Collections.sort(sorted);
    return String.format(
        Locale.ROOT,
        "live-latency: %,d sensors at %,d readings/s (%,.0f/s acknowledged while measuring), %s warm-up, %s measured, %s%n"
            + "  produce -> state visible over HTTP: p50 %.0f ms, p90 %.0f ms, p99 %.0f ms, max %.0f ms (%,d probes by %d probers; %,d not visible within %d s)%n"
            + "  while measuring: %,.0f asks (journal writes) per second, %.1f readings each; CPU: node %.0f %%, Cassandra %.0f %% of one core%n%s",
        settings.sensors(), settings.rate(), loadRate, settings.warmup(), settings.measure(), Instant.now(),
        quantile(sorted, 0.5), quantile(sorted, 0.9), quantile(sorted, 0.99), sorted.isEmpty() ? Double.NaN : sorted.get(sorted.size() - 1),
        sorted.size(), settings.probers(), probes.lost(), GIVE_UP.toSeconds(),
        asksPerSecond, readingsPerAsk, 100 * nodeCpu / seconds, 100 * cassandraCpu / seconds,
        BenchNode.jvmOptions());
  }

  /** Nearest-rank quantile of sorted values. */
  static double quantile(List<Double> sorted, double q) {
    if (sorted.isEmpty()) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(q * sorted.size());
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
  }
}
