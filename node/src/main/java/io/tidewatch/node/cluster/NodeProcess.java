package io.tidewatch.node.cluster;

import io.tidewatch.deploy.ParentWatchdog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Tidewatch node in a JVM of its own ({@code tidewatch node}), configured through the environment like any
 * deployment, for the local cluster and the fault tests. It runs under {@link ParentWatchdog}, so it exits when this
 * JVM dies, even by SIGKILL. {@link #stop} is a SIGTERM (CoordinatedShutdown: drain, hand over, leave),
 * {@link #kill} a SIGKILL.
 */
public final class NodeProcess implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(NodeProcess.class);
  private static final Duration GRACEFUL_STOP = Duration.ofSeconds(60);

  /** The ports of one node, all on 127.0.0.1. */
  public record Ports(int http, int management, int remote) {

    /** The i-th node of a local cluster: 8080+i, 8558+i, 25520+i (DESIGN §5). */
    public static Ports local(int i) {
      return new Ports(8080 + i, 8558 + i, 25520 + i);
    }

    public String address() {
      return "pekko://tidewatch@127.0.0.1:" + remote;
    }
  }

  private final String name;
  private final Ports ports;
  private final Process process;
  private final Path logFile;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private NodeProcess(String name, Ports ports, Process process, Path logFile) {
    this.name = name;
    this.ports = ports;
    this.process = process;
    this.logFile = logFile;
  }

  /** The JVM options every node shares ({@code bin/node.jvm-options}, as bin/tidewatch passes it): an @argfile. */
  public static String jvmOptionsFile(Path home) {
    return "@" + home.resolve("bin/node.jvm-options");
  }

  /**
   * @param home the project folder (holds node/target/tidewatch-node.jar and its lib/)
   * @param env settings as environment overrides (TIDEWATCH_KAFKA_BOOTSTRAP, ...); the ports are added here
   */
  public static NodeProcess start(
      Path home, String name, Ports ports, Map<String, String> env, List<String> jvmOptions, Path logFile) {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> command = new ArrayList<>(List.of(java.toString(), jvmOptionsFile(home)));
    command.addAll(jvmOptions);
    command.addAll(List.of(
        "-Dtidewatch.home=" + home,
        "-cp", home.resolve("node/target/tidewatch-node.jar").toString(), // its manifest brings lib/*
        ParentWatchdog.class.getName(), "io.tidewatch.node.Main", "node"));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(env);
    builder.environment().put("TIDEWATCH_HTTP_PORT", String.valueOf(ports.http()));
    builder.environment().put("TIDEWATCH_MANAGEMENT_PORT", String.valueOf(ports.management()));
    builder.environment().put("TIDEWATCH_REMOTE_PORT", String.valueOf(ports.remote()));
    try {
      Files.createDirectories(logFile.toAbsolutePath().getParent());
      Process process = builder.redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile())).start();
      log.info("Started {} (pid {}): HTTP {}, management {}, remoting {}; log {}", name, process.pid(), ports.http(),
          ports.management(), ports.remote(), logFile);
      return new NodeProcess(name, ports, process, logFile);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name, e);
    }
  }

  public String name() {
    return name;
  }

  public Ports ports() {
    return ports;
  }

  /** Where the node's output goes. */
  public Path log() {
    return logFile;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Waits until the node's {@code /ready} answers 200 (member Up, Kafka and Cassandra reachable). */
  public void awaitReady(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(name + " exited with " + process.exitValue() + " before it was ready; see " + logFile);
      }
      if (ready()) {
        return;
      }
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for " + name, e);
      }
    }
    throw new IllegalStateException(name + " was not ready within " + timeout + "; see " + logFile);
  }

  public boolean ready() {
    try {
      HttpRequest request =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports.management() + "/ready"))
              .timeout(Duration.ofSeconds(5))
              .build();
      return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** SIGTERM: the node drains its ingest, hands its shards over and leaves the cluster; SIGKILL if it hangs. */
  public CompletableFuture<Void> stop() {
    if (!process.isAlive()) {
      return CompletableFuture.completedFuture(null);
    }
    process.destroy();
    return process.onExit().orTimeout(GRACEFUL_STOP.toSeconds(), TimeUnit.SECONDS).handle((p, timeout) -> {
      if (timeout != null) {
        log.warn("{} did not stop within {}; killing it", name, GRACEFUL_STOP);
        process.destroyForcibly();
      }
      return null;
    });
  }

  /** SIGKILL: the node dies at once, as in a crash. */
  public void kill() {
    process.destroyForcibly();
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    stop().join();
  }
}
