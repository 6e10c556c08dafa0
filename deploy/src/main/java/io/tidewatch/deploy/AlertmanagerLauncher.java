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
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the system's Prometheus Alertmanager (Debian's package {@code prometheus-alertmanager}) on 127.0.0.1 as a child
 * process for the notifier's tests: its API on the port given, gossip off (no cluster port), its state and
 * {@code alertmanager.yml} under one directory, its output in {@code alertmanager.log}. The configuration routes
 * everything to one receiver with no integrations: alerts are only kept, for the test to read back.
 */
public final class AlertmanagerLauncher {

  private static final Logger log = LoggerFactory.getLogger(AlertmanagerLauncher.class);
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
  /** Debian installs it as prometheus-alertmanager; upstream's tarball and other distributions as alertmanager. */
  private static final List<String> BINARIES = List.of("/usr/bin/prometheus-alertmanager", "/usr/bin/alertmanager");

  private final Path dataDir;
  private final int port;

  public AlertmanagerLauncher(Path dataDir, int port) {
    this.dataDir = dataDir.toAbsolutePath();
    this.port = port;
  }

  /** Starts Alertmanager and returns once {@code /-/ready} answers 200. */
  public Running start() {
    ChildJvm.requireFreePort(port, "Alertmanager");
    Path binary = binary();
    Path config;
    try {
      Files.createDirectories(dataDir.resolve("data"));
      config = Files.writeString(dataDir.resolve("alertmanager.yml"), String.join("\n",
          "route:",
          "  receiver: keep",
          "receivers:",
          "  - name: keep",
          ""));
    } catch (IOException e) {
      throw new LaunchException("cannot write the Alertmanager configuration in " + dataDir, e);
    }
    ChildJvm process = ChildJvm.startProcess("alertmanager", List.of(
            binary.toString(),
            "--config.file=" + config,
            "--storage.path=" + dataDir.resolve("data"),
            "--web.listen-address=127.0.0.1:" + port,
            "--cluster.listen-address="), // empty: no gossip, no second port
        dataDir.resolve("alertmanager.log"));
    Running running = new Running(process, "http://127.0.0.1:" + port);
    try {
      process.awaitReady(READY_TIMEOUT, running::ready);
    } catch (RuntimeException e) {
      process.stop();
      throw e;
    }
    log.info("Alertmanager ready on {} (data {})", running.url(), dataDir);
    return running;
  }

  private static Path binary() {
    String configured = System.getProperty("tidewatch.alertmanager");
    Stream<String> candidates = configured != null ? Stream.of(configured) : BINARIES.stream();
    return candidates.map(Path::of).filter(Files::isExecutable).findFirst().orElseThrow(() -> new LaunchException(
        "no Alertmanager at " + (configured != null ? configured : BINARIES) + ": install Debian's package "
            + "prometheus-alertmanager (apt-get install prometheus-alertmanager), or point -Dtidewatch.alertmanager "
            + "at an alertmanager binary"));
  }

  /** A running Alertmanager; closing it stops the process. */
  public static final class Running implements AutoCloseable {

    private final ChildJvm process;
    private final String url;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private Running(ChildJvm process, String url) {
      this.process = process;
      this.url = url;
    }

    /** The base URL, e.g. {@code http://127.0.0.1:9093}; its API is under {@code /api/v2}. */
    public String url() {
      return url;
    }

    boolean ready() throws IOException, InterruptedException {
      return http.send(HttpRequest.newBuilder(URI.create(url + "/-/ready")).timeout(Duration.ofSeconds(2)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    }

    @Override
    public void close() {
      process.stop();
    }
  }
}
