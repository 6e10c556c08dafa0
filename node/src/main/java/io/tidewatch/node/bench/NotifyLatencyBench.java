package io.tidewatch.node.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.tidewatch.deploy.FreePorts;
import io.tidewatch.deploy.LocalInfra;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Notification latency: under a steady live load of {@code rate} readings/s over {@code sensors} sensors
 * ({@link PacedLoad}) on one node, {@code spikes} per second go to random sensors (a jump of 20 against the delta
 * threshold of 5), each opening an incident that a minute of normal readings resolves. A webhook receiver in this
 * process (the JDK's HTTP server) takes every notification and notes, per transition, how long after the entity
 * made it ({@code at}, stamped as the entity journals it) and, for openings, after the spike was produced ({@code ts}
 * is the producer's wall clock) it arrived. The notifier groups what arrives within {@code groupWait}: that wait is
 * part of what is measured.
 */
public final class NotifyLatencyBench {

  private static final String TOPIC = "tidewatch.readings";
  private static final String TOKEN = "notify-bench-" + java.util.UUID.randomUUID();
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What to run: the load, the spikes, how long to warm up and to measure, the notifier's group wait. */
  public record Settings(
      int sensors, int rate, double spikesPerSecond, Duration warmup, Duration measure, Duration groupWait,
      String nodeHeap) {}

  private final Settings settings;
  private final Path home;
  private final Path workDir;

  public NotifyLatencyBench(Settings settings, Path home, Path workDir) {
    this.settings = settings;
    this.home = home;
    this.workDir = workDir;
  }

  /** What the receiver saw while measuring: latencies in ms, and transitions seen more than once. */
  private static final class Received {
    final List<Double> sinceTransition = Collections.synchronizedList(new ArrayList<>());
    final List<Double> sinceProduced = Collections.synchronizedList(new ArrayList<>());
    final Set<String> transitionIds = ConcurrentHashMap.newKeySet();
    final AtomicLong posts = new AtomicLong();
    final AtomicLong repeats = new AtomicLong();
    volatile boolean measuring;
  }

  public String run() throws Exception {
    Files.createDirectories(workDir);
    Received received = new Received();
    HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", FreePorts.next()), 0);
    receiver.createContext("/hook", exchange -> {
      long now = System.currentTimeMillis();
      JsonNode body = JSON.readTree(exchange.getRequestBody());
      if (received.measuring) {
        received.posts.incrementAndGet();
        for (JsonNode t : body.path("transitions")) {
          if (!received.transitionIds.add(t.path("transitionId").asText())) {
            received.repeats.incrementAndGet();
            continue;
          }
          received.sinceTransition.add((double) (now - t.path("at").asLong()));
          if (t.path("transition").asText().equals("opened")) {
            received.sinceProduced.add((double) (now - t.path("ts").asLong()));
          }
        }
      }
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    receiver.start();
    try (LocalInfra infra = LocalInfra.start(workDir.resolve("infra"), LocalInfra.Ports.free(), LocalInfra.DEFAULT_TOPICS)) {
      int httpPort = FreePorts.next();
      String secret = "whsec_" + Base64.getEncoder().encodeToString(TOKEN.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      Path config = BenchNode.writeConfig(
          workDir, infra, "notify-" + Instant.now().toEpochMilli(), httpPort, TOKEN, "auto", List.of(
              "tidewatch.notify.group-wait = " + settings.groupWait().toMillis() + "ms",
              "tidewatch.notify.receivers = [{ name = bench, url = \"http://127.0.0.1:"
                  + receiver.getAddress().getPort() + "/hook\", secret = \"" + secret + "\" }]"));
      Process node = BenchNode.start(home, workDir, settings.nodeHeap(), config);
      try {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        LiveLatencyBench.awaitHttp(http, httpPort, node, TOKEN);
        try (PacedLoad load = PacedLoad.start(infra.kafkaBootstrapServers(), TOPIC, settings.sensors(), settings.rate());
            KafkaProducer<String, String> spiker = producer(infra.kafkaBootstrapServers())) {
          spike(spiker, settings.warmup());
          long nodeCpu = ProcessStats.cpuMillis(node.pid());
          received.measuring = true;
          long start = System.nanoTime();
          long spikes = spike(spiker, settings.measure());
          received.measuring = false;
          double seconds = (System.nanoTime() - start) / 1e9;
          return report(received, spikes, seconds, (ProcessStats.cpuMillis(node.pid()) - nodeCpu) / 1000.0);
        }
      } finally {
        node.destroy();
        node.waitFor(60, TimeUnit.SECONDS);
      }
    } finally {
      receiver.stop(0);
    }
  }

  private static KafkaProducer<String, String> producer(String bootstrap) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
  }

  /** Spikes at the configured rate to random sensors for {@code howLong}; how many were sent. */
  private long spike(KafkaProducer<String, String> producer, Duration howLong) throws InterruptedException {
    long pauseNanos = (long) (1e9 / settings.spikesPerSecond());
    long until = System.nanoTime() + howLong.toNanos();
    long sent = 0;
    while (System.nanoTime() < until) {
      String id = PacedLoad.sensorId(ThreadLocalRandom.current().nextInt(settings.sensors()));
      String reading = String.format(Locale.ROOT,
          "{\"entityType\":\"sensor\",\"entityId\":\"%s\",\"ts\":%d,\"metrics\":{\"temperature\":40.0}}",
          id, System.currentTimeMillis());
      producer.send(new ProducerRecord<>(TOPIC, id, reading));
      sent++;
      TimeUnit.NANOSECONDS.sleep(pauseNanos);
    }
    return sent;
  }

  private String report(Received received, long spikes, double seconds, double nodeCpu) {
    List<Double> transition = sorted(received.sinceTransition);
    List<Double> produced = sorted(received.sinceProduced);
    return String.format(
        Locale.ROOT,
        "notify-latency: %,d sensors at %,d readings/s, %.1f spikes/s, group-wait %s, %s warm-up, %s measured, %s%n"
            + "  transition made (journal write) -> receiver: p50 %.0f ms, p90 %.0f ms, p99 %.0f ms, max %.0f ms (%,d transitions in %,d POSTs; %,d repeats)%n"
            + "  spike produced -> its opening at the receiver: p50 %.0f ms, p99 %.0f ms (%,d openings of %,d spikes; a spike on an open incident opens none)%n"
            + "  while measuring: node CPU %.0f %% of one core%n%s",
        settings.sensors(), settings.rate(), settings.spikesPerSecond(), settings.groupWait(), settings.warmup(),
        settings.measure(), Instant.now(),
        LiveLatencyBench.quantile(transition, 0.5), LiveLatencyBench.quantile(transition, 0.9),
        LiveLatencyBench.quantile(transition, 0.99), transition.isEmpty() ? Double.NaN : transition.get(transition.size() - 1),
        transition.size(), received.posts.get(), received.repeats.get(),
        LiveLatencyBench.quantile(produced, 0.5), LiveLatencyBench.quantile(produced, 0.99), produced.size(), spikes,
        100 * nodeCpu / seconds, BenchNode.jvmOptions());
  }

  private static List<Double> sorted(List<Double> values) {
    List<Double> copy;
    synchronized (values) {
      copy = new ArrayList<>(values);
    }
    Collections.sort(copy);
    return copy;
  }
}
