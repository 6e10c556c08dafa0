package io.tidewatch.deploy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
    Path config;
    try {
      Files.createDirectories(dataDir);
      config = Files.writeString(dataDir.resolve("influxdb.conf"), config());
    } catch (IOException e) {
      throw new LaunchException("cannot write the InfluxDB configuration in " + dataDir, e);
    }
    ChildJvm process = ChildJvm.startProcess(
        "influxdb", List.of(influxd.toString(), "-config", config.toString()), dataDir.resolve("influxdb.log"));
    Running running = new Running(process, "http://127.0.0.1:" + httpPort);
    try {
      process.awaitReady(READY_TIMEOUT, running::pings);
    } catch (RuntimeException e) {
      process.stop();
      throw e;
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

    private final ChildJvm process;
    private final String url;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private Running(ChildJvm process, String url) {
      this.process = process;
      this.url = url;
    }

    /** The HTTP API's base URL, e.g. {@code http://127.0.0.1:8086}. */
    public String url() {
      return url;
    }

    boolean pings() throws IOException, InterruptedException {
      return http.send(HttpRequest.newBuilder(URI.create(url + "/ping")).timeout(Duration.ofSeconds(2)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode() == 204;
    }

    @Override
    public void close() {
      process.stop();
    }
  }
}
