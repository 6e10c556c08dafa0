package io.tidewatch.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The alerting rules of the platform's own health are valid and fire exactly when their unit tests say, and the
 * compose file's Prometheus and Alertmanager accept their configuration as mounted, all checked by the tools of
 * Debian's {@code prometheus} and {@code prometheus-alertmanager} packages ({@code promtool}, {@code amtool}).
 */
class PrometheusRulesTest {

  private static final Path PROMETHEUS = Path.of("prometheus");
  private static final Path COMPOSE = Path.of("compose");

  @Test
  void theRulesAreValid() throws Exception {
    String out = run(PROMETHEUS, tool("promtool", "prometheus"), "check", "rules", "tidewatch-rules.yml");
    assertTrue(out.contains("SUCCESS: 8 rules found"), out);
  }

  @Test
  void theRulesFireAsTheirUnitTestsSay() throws Exception {
    String out = run(PROMETHEUS, tool("promtool", "prometheus"), "test", "rules", "tidewatch-rules.test.yml");
    assertTrue(out.contains("SUCCESS"), out);
  }

  @Test
  void composesPrometheusLoadsTheRulesAndAlertsItsAlertmanager(@TempDir Path etc) throws Exception {
    // Laid out as compose mounts them: both files in /etc/prometheus.
    Files.copy(COMPOSE.resolve("prometheus.yml"), etc.resolve("prometheus.yml"));
    Files.copy(PROMETHEUS.resolve("tidewatch-rules.yml"), etc.resolve("tidewatch-rules.yml"));
    String out = run(etc, tool("promtool", "prometheus"), "check", "config", "prometheus.yml");
    assertTrue(out.contains("SUCCESS: 1 rule files found"), out);
    assertTrue(Files.readString(COMPOSE.resolve("compose.yaml"))
        .contains("../prometheus/tidewatch-rules.yml:/etc/prometheus/tidewatch-rules.yml:ro"));
  }

  @Test
  void composesAlertmanagerConfigurationIsValid() throws Exception {
    String out = run(COMPOSE, tool("amtool", "prometheus-alertmanager"), "check-config", "alertmanager.yml");
    assertTrue(out.contains("SUCCESS"), out);
  }

  /** The tool's path; a missing one fails with the package that ships it. */
  private static String tool(String name, String debianPackage) {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
      if (Files.isExecutable(Path.of(dir, name))) {
        return Path.of(dir, name).toString();
      }
    }
    throw new AssertionError(name + " not found on PATH: install Debian's package " + debianPackage
        + " (apt-get install " + debianPackage + "), as .ci/run does");
  }

  /** Runs a command in {@code dir}; its exit code must be 0. Returns stdout and stderr together. */
  private static String run(Path dir, String... command) throws IOException, InterruptedException {
    List<String> args = new ArrayList<>(List.of(command));
    Process process = new ProcessBuilder(args).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), String.join(" ", args) + " did not finish");
    assertEquals(0, process.exitValue(), String.join(" ", args) + ":\n" + out);
    return out;
  }
}
