package io.tidewatch.node.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.tidewatch.deploy.FreePorts;
import io.tidewatch.deploy.LocalInfra;
import io.tidewatch.node.cluster.NodeProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;

/**
 * Failover: a cluster of node JVMs ingests a live load; one node is killed with SIGKILL, and the benchmark times,
 * from the kill, when the survivors mark it unreachable and remove it, when every entity answers again, when every
 * partition is consumed again and when the consumer lag is back to its level before the kill. Then it stops the
 * load and checks that every sensor recorded exactly the readings the broker acknowledged, on every survivor.
 */
public final class FailoverBench {

  private static final String TOKEN = "failover-bench-" + UUID.randomUUID();
  private static final String TOPIC = "tidewatch.readings";
  private static final String GROUP = "tidewatch-failover-bench";
  private static final Duration PATIENCE = Duration.ofMinutes(3);
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);
  private static final long SAMPLE_MILLIS = 100;
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The nodes' split brain resolver settings: the nodes read the same configuration and environment as this JVM. */
  private static final Config SBR = ConfigFactory.load().getConfig("pekko.cluster.split-brain-resolver");

  /** @param victim index of the node to kill; node-0 is the oldest (it hosts the shard coordinators) */
  public record Settings(int nodes, int sensors, int rate, int victim, Duration warmup) {}

  private final Settings settings;
  private final Path home;
  private final Path workDir;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(PROBE_TIMEOUT).build();
  private final ExecutorService watchers = Executors.newCachedThreadPool();

  public FailoverBench(Settings settings, Path home, Path workDir) {
    this.settings = settings;
    this.home = home;
    this.workDir = workDir;
  }

  /** When (seconds after the kill) the survivors saw the victim unreachable, and when they removed it. */
  private record Membership(double unreachable, double removed) {}

  /** When every partition was consumed again, when the lag was back to its steady level, and its peak. */
  private record Ingest(double resumed, double caughtUp, long peakLag) {}

  /** When every entity had answered since the kill, and how many failed to answer at first. */
  private record Answers(double all, int interrupted) {}

  public String run() throws Exception {
    try (LocalInfra infra = LocalInfra.start(workDir.resolve("infra"), LocalInfra.Ports.free(), LocalInfra.DEFAULT_TOPICS);
        Admin admin = Admin.create(Map.of("bootstrap.servers", infra.kafkaBootstrapServers()))) {
      List<NodeProcess> nodes = startNodes(infra);
      try {
        ConsumerLag lag = new ConsumerLag(admin, GROUP, TOPIC);
        PacedLoad load = PacedLoad.start(infra.kafkaBootstrapServers(), TOPIC, settings.sensors(), settings.rate());
        long steadyLag;
        String oldest;
        Membership membership;
        Ingest ingest;
        Answers answers;
        NodeProcess victim = nodes.get(settings.victim());
        List<NodeProcess> survivors = nodes.stream().filter(n -> n != victim).toList();
        try {
          awaitAnswers(nodes, System.nanoTime()); // every sensor has readings
          steadyLag = steadyLag(lag);
          oldest = cluster(survivors.get(0)).get("oldest").asText();
          System.err.printf(Locale.ROOT, "failover: steady lag %,d records; killing %s%n", steadyLag, victim.name());
          long killedAt = System.nanoTime();
          ConsumerLag.Sample atKill = lag.sample();
          victim.kill();
          CompletableFuture<Membership> removal =
              CompletableFuture.supplyAsync(() -> membership(survivors.get(0), victim, killedAt), watchers);
          CompletableFuture<Ingest> recovery =
              CompletableFuture.supplyAsync(() -> ingest(lag, atKill, steadyLag, killedAt), watchers);
          answers = awaitAnswers(survivors, killedAt);
          membership = removal.join();
          ingest = recovery.join();
        } finally {
          load.close();
        }
        long produced = load.acknowledged();
        awaitAllCommitted(lag);
        String exact = exactness(load, survivors);
        return report(victim, victim.ports().address().equals(oldest), steadyLag, membership, answers, ingest, produced, exact);
      } finally {
        nodes.forEach(NodeProcess::close);
        watchers.shutdownNow();
      }
    }
  }

  private List<NodeProcess> startNodes(LocalInfra infra) {
    List<NodeProcess.Ports> ports = IntStream.range(0, settings.nodes())
        .mapToObj(i -> new NodeProcess.Ports(FreePorts.next(), FreePorts.next(), FreePorts.next()))
        .toList();
    Map<String, String> env = Map.of(
        "TIDEWATCH_KAFKA_BOOTSTRAP", infra.kafkaBootstrapServers(),
        "TIDEWATCH_CASSANDRA_CONTACT_POINTS", infra.cassandraContactPoint(),
        "TIDEWATCH_SEED_NODES", ports.stream().map(NodeProcess.Ports::address).collect(Collectors.joining(",")),
        "TIDEWATCH_INGEST_GROUP", GROUP,
        "TIDEWATCH_TOKENS", TOKEN + "=reader+operator");
    List<NodeProcess> nodes = new ArrayList<>();
    for (int i = 0; i < settings.nodes(); i++) {
      nodes.add(NodeProcess.start(home, "node-" + i, ports.get(i), env, List.of("-Xms256m", "-Xmx1g"),
          workDir.resolve("node-" + i + ".log")));
      if (i == 0) {
        nodes.get(0).awaitReady(PATIENCE); // the first seed forms the cluster and is its oldest member
      }
    }
    nodes.forEach(node -> node.awaitReady(PATIENCE));
    return nodes;
  }

  /**
   * The largest lag over the warm-up: the level "caught up" returns to. The warm-up starts once the cluster keeps
   * up with the load (a lag of at most five seconds of it), after the partition moves of its start.
   */
  private long steadyLag(ConsumerLag lag) throws Exception {
    long keepingUp = 5L * settings.rate();
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (lag.sample().lag() > keepingUp) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the cluster did not keep up with " + settings.rate() + " readings/s within "
            + PATIENCE + " (lag " + lag.sample().lag() + "); try a lower --rate");
      }
      Thread.sleep(SAMPLE_MILLIS);
    }
    long end = System.nanoTime() + settings.warmup().toNanos();
    long max = 0;
    while (System.nanoTime() < end) {
      max = Math.max(max, lag.sample().lag());
      Thread.sleep(SAMPLE_MILLIS);
    }
    return max;
  }

  /**
   * Asks every sensor, spread over {@code nodes}, until each has answered 200 once; requests that fail or take
   * longer than the probe timeout are asked again. Returns when the last one answered, in seconds after {@code since}.
   */
  private Answers awaitAnswers(List<NodeProcess> nodes, long since) throws Exception {
    int sensors = settings.sensors();
    BitSet answered = new BitSet(sensors);
    BitSet failedOnce = new BitSet(sensors);
    Semaphore inFlight = new Semaphore(32);
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    long last = since;
    while (answered.cardinality() < sensors) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException((sensors - answered.cardinality()) + " sensors did not answer within " + PATIENCE);
      }
      List<CompletableFuture<Void>> round = new ArrayList<>();
      for (int s = answered.nextClearBit(0); s < sensors; s = answered.nextClearBit(s + 1)) {
        int sensor = s;
        NodeProcess node = nodes.get(s % nodes.size());
        inFlight.acquire();
        round.add(http.sendAsync(get(node, "/api/v1/entities/sensor/" + PacedLoad.sensorId(s)), HttpResponse.BodyHandlers.discarding())
            .handle((response, error) -> {
              inFlight.release();
              synchronized (answered) {
                if (error == null && response.statusCode() == 200) {
                  answered.set(sensor);
                } else {
                  failedOnce.set(sensor);
                }
              }
              return null;
            }));
      }
      CompletableFuture.allOf(round.toArray(CompletableFuture[]::new)).join();
      last = System.nanoTime();
    }
    return new Answers((last - since) / 1e9, failedOnce.cardinality());
  }

  private Membership membership(NodeProcess observer, NodeProcess victim, long killedAt) {
    String address = victim.ports().address();
    double unreachable = -1;
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    try {
      while (System.nanoTime() < deadline) {
        JsonNode view = cluster(observer);
        double at = (System.nanoTime() - killedAt) / 1e9;
        boolean member = false;
        for (JsonNode m : view.get("members")) {
          member |= m.get("address").asText().equals(address);
        }
        for (JsonNode u : view.get("unreachable")) {
          if (unreachable < 0 && u.get("address").asText().equals(address)) {
            unreachable = at;
          }
        }
        if (!member) {
          return new Membership(unreachable, at);
        }
        Thread.sleep(SAMPLE_MILLIS);
      }
    } catch (Exception e) {
      throw new IllegalStateException("cannot follow the cluster membership on " + observer.name(), e);
    }
    throw new IllegalStateException(victim.name() + " was not removed from the cluster within " + PATIENCE);
  }

  private Ingest ingest(ConsumerLag lag, ConsumerLag.Sample atKill, long steadyLag, long killedAt) {
    double resumed = -1;
    long peak = 0;
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    try {
      while (System.nanoTime() < deadline) {
        ConsumerLag.Sample sample = lag.sample();
        double at = (System.nanoTime() - killedAt) / 1e9;
        peak = Math.max(peak, sample.lag());
        if (resumed < 0 && sample.advancedEverywhereSince(atKill)) {
          resumed = at;
        }
        if (resumed >= 0 && sample.lag() <= steadyLag) {
          return new Ingest(resumed, at, peak);
        }
        Thread.sleep(SAMPLE_MILLIS);
      }
    } catch (Exception e) {
      throw new IllegalStateException("cannot follow the consumer group", e);
    }
    throw new IllegalStateException("the consumer lag did not return to " + steadyLag + " within " + PATIENCE);
  }

  private void awaitAllCommitted(ConsumerLag lag) throws Exception {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (lag.sample().lag() > 0) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the survivors did not commit the whole load within " + PATIENCE);
      }
      Thread.sleep(SAMPLE_MILLIS);
    }
  }

  /** Every sensor, asked on every survivor: readings equal to what the broker acknowledged, none late. */
  private String exactness(PacedLoad load, List<NodeProcess> survivors) throws Exception {
    long recorded = 0, duplicates = 0;
    List<String> wrong = new ArrayList<>();
    for (NodeProcess node : survivors) {
      for (int s = 0; s < load.sensors(); s++) {
        HttpResponse<String> response = http.send(get(node, "/api/v1/entities/sensor/" + PacedLoad.sensorId(s)),
            HttpResponse.BodyHandlers.ofString());
        JsonNode state = response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
        long readings = state == null ? -1 : state.get("readings").asLong();
        long late = state == null ? -1 : state.get("lateReadings").asLong();
        if (node == survivors.get(0)) {
          recorded += Math.max(0, readings);
          duplicates += state == null ? 0 : state.get("duplicates").asLong();
        }
        if (readings != load.acknowledged(s) || late != 0) {
          wrong.add(String.format(Locale.ROOT, "%s on %s: %d readings (%d late), sent %d",
              PacedLoad.sensorId(s), node.name(), readings, late, load.acknowledged(s)));
        }
      }
    }
    return String.format(Locale.ROOT, "readings recorded %,d, redeliveries acknowledged as duplicates %,d; "
            + "sensors differing from what was sent, on any survivor: %,d %s",
        recorded, duplicates, wrong.size(), wrong.subList(0, Math.min(5, wrong.size())));
  }

  private JsonNode cluster(NodeProcess node) throws IOException, InterruptedException {
    return JSON.readTree(http.send(get(node, "/api/v1/cluster"), HttpResponse.BodyHandlers.ofString()).body());
  }

  private static HttpRequest get(NodeProcess node, String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.ports().http() + path))
        .header("Authorization", "Bearer " + TOKEN)
        .timeout(PROBE_TIMEOUT)
        .build();
  }

  private String report(NodeProcess victim, boolean wasOldest, long steadyLag, Membership membership, Answers answers,
      Ingest ingest, long produced, String exact) {
    return String.format(Locale.ROOT,
        "failover (%d nodes, %,d sensors, live load %,d readings/s), %s%n"
            + "  split brain resolver: %s, stable-after %s (the removal margin is the same)%n"
            + "  SIGKILL of %s%s; steady consumer lag before it: at most %,d records%n"
            + "  after the kill: unreachable +%.1f s, downed and removed +%.1f s%n"
            + "  every entity answers again: +%.1f s (%,d of %,d failed to answer at first)%n"
            + "  ingest: every partition consumed again +%.1f s, lag back to its steady level +%.1f s (peak %,d records)%n"
            + "  after the load stopped (%,d readings sent): %s%n",
        settings.nodes(), settings.sensors(), settings.rate(), Instant.now(),
        SBR.getString("active-strategy"), SBR.getString("stable-after"),
        victim.name(), wasOldest ? " (the oldest member: shard coordinators and singletons)" : "", steadyLag,
        membership.unreachable(), membership.removed(),
        answers.all(), answers.interrupted(), settings.sensors(),
        ingest.resumed(), ingest.caughtUp(), ingest.peakLag(),
        produced, exact);
  }
}
