package io.tidewatch.deploy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the system's InfluxDB 1.x ({@code influxd}, Debian's package {@code influxdb}) on 127.0.0.1 as a child
 * process for the export's tests: its HTTP API and its RPC port on the ports given, everything else off, data and
 * {@code influxdb.conf} under one directory, its output in {@code influxdb.log}.
 */
public final class InfluxLauncher {

  private static final Logger log = LoggerFactory.getLogger(InfluxLauncher.class);
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

  private final Path dataDir;
  private final int httpPort;
  private final int rpcPort;

  public InfluxLauncher(Path dataDir, int httpPort, int rpcPort) {
    this.dataDir = dataDir.toAbsolutePath();
    this.httpPort = httpPort;
    this.rpcPort = rpcPort;
  }

  /** Starts {@code influxd} and returns once {@code /ping} answers. */
  public Running start() {
    ChildJvm.requireFreePort(httpPort, "InfluxDB HTTP");
    ChildJvm.requireFreePort(rpcPort, "InfluxDB RPC");
    Path influxd = Path.of(System.getProperty("tidewatch.influxd", "/usr/bin/influxd"));
    if (!Files.isExecutable(influxd)) {
      throw new LaunchException(influxd + " not found: install Debian's package influxdb (apt-get install influxdb), "
          + "or point -Dtidewatch.influxd at an influxd 1.x");
    }
    Process process;
    try {
      Files.createDirectories(dataDir);
      Path config = Files.writeString(dataDir.resolve("influxdb.conf"), config());
      Path logFile = dataDir.resolve("influxdb.log");
      process = new ProcessBuilder(influxd.toString(), "-config", config.toString())
          .redirectErrorStream(true)
          .redirectOutput(logFile.toFile())
          .start();
    } catch (IOException e) {
      throw new LaunchException("cannot start " + influxd + " in " + dataDir, e);
    }
    Running running = new Running(process, "http://127.0.0.1:" + httpPort);
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (!running.pings()) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        running.close();
        throw new LaunchException("InfluxDB did not answer on " + running.url() + " within " + READY_TIMEOUT
            + "; see " + dataDir.resolve("influxdb.log"));
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        running.close();
        throw new LaunchException("interrupted while InfluxDB started", e);
      }
    }
    log.info("InfluxDB ready on {} (data {})", running.url(), dataDir);
    return running;
  }

  private String config() {
    return String.join("\n",
        "reporting-disabled = true",
        "bind-address = \"127.0.0.1:" + rpcPort + "\"",
        "[meta]",
        "  dir = \"" + dataDir.resolve("meta") + "\"",
        "[data]",
        "  dir = \"" + dataDir.resolve("data") + "\"",
        "  wal-dir = \"" + dataDir.resolve("wal") + "\"",
        "  query-log-enabled = false",
        "[monitor]",
        "  store-enabled = false",
        "[http]",
        "  enabled = true",
        "  bind-address = \"127.0.0.1:" + httpPort + "\"",
        "  log-enabled = false",
        "");
  }

  /** A running InfluxDB; closing it stops the process. */
  public static final class Running implements AutoCloseable {

    private final Process process;
    private final String url;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private Running(Process process, String url) {
      this.process = process;
      this.url = url;
    }

    /** The HTTP API's base URL, e.g. {@code http://127.0.0.1:8086}. */
    public String url() {
      return url;
    }

    boolean pings() {
      try {
        return http.send(HttpRequest.newBuilder(URI.create(url + "/ping")).timeout(Duration.ofSeconds(2)).build(),
            HttpResponse.BodyHandlers.discarding()).statusCode() == 204;
      } catch (IOException e) {
        return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }

    @Override
    public void close() {
      process.destroy();
      try {
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
    }
  }
}
