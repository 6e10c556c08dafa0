package io.tidewatch.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** A setting that cannot be used stops a command with one line naming the key and the rule, never a stack trace. */
class ConfigurationErrorTest {

  @TempDir Path dir;

  private record Outcome(int exitCode, String err) {}

  private Outcome node(String hocon) throws Exception {
    Path config = Files.writeString(dir.resolve("node.conf"), hocon);
    CommandLine cli = Main.commandLine();
    StringWriter err = new StringWriter();
    cli.setErr(new PrintWriter(err, true));
    return new Outcome(cli.execute("node", "--config", config.toString()), err.toString());
  }

  private static void assertOneLine(String err) {
    assertEquals(1, err.strip().lines().count(), err);
    assertFalse(err.contains("\tat "), "no stack trace: " + err);
  }

  @Test
  void aTokenTooShortNamesTheTokensKeyAndTheRule() throws Exception {
    Outcome outcome = node("tidewatch.http.tokens = \"short=reader\"\n");

    assertEquals(78, outcome.exitCode());
    assertOneLine(outcome.err());
    assertTrue(outcome.err().contains("tidewatch.http.tokens"), outcome.err());
    assertTrue(outcome.err().contains("shorter than 16 characters"), outcome.err());
  }

  @Test
  void anUnknownWindowTypeNamesTheEntityTypeKey() throws Exception {
    Outcome outcome = node("tidewatch.entity-types.sensor.windows = [{ type = hopping, size = 1m }]\n");

    assertEquals(78, outcome.exitCode());
    assertOneLine(outcome.err());
    assertTrue(outcome.err().contains("tidewatch.entity-types.sensor"), outcome.err());
    assertTrue(outcome.err().contains("unknown window type 'hopping'"), outcome.err());
  }

  @Test
  void aValueOfTheWrongTypeNamesItsKey() throws Exception {
    Outcome outcome = node("tidewatch.entity-types.sensor.allowed-lateness = soon\n");

    assertEquals(78, outcome.exitCode());
    assertOneLine(outcome.err());
    assertTrue(outcome.err().contains("allowed-lateness"), outcome.err());
  }

  @Test
  void severityBandsOutOfOrderNameTheEntityTypeKeyAndTheRule() throws Exception {
    Outcome outcome = node("tidewatch.entity-types.sensor.anomalies = "
        + "[{ rule = delta, threshold = 5, severity { error = 3, critical = 2 } }]\n");

    assertEquals(78, outcome.exitCode());
    assertOneLine(outcome.err());
    assertTrue(outcome.err().contains("tidewatch.entity-types.sensor"), outcome.err());
    assertTrue(outcome.err().contains("severity bands need 1 < error <= critical"), outcome.err());
  }

  @Test
  void anExportToAUrlThatIsNotHttpIsAUsageErrorNamingTheOption() {
    CommandLine cli = Main.commandLine();
    StringWriter err = new StringWriter();
    cli.setErr(new PrintWriter(err, true));

    int exit = cli.execute("export", "influxdb", "--url", "localhost:8086");

    assertEquals(2, exit);
    assertTrue(err.toString().startsWith("--url 'localhost:8086' is not InfluxDB's HTTP address"), err.toString());
    assertFalse(err.toString().contains("\tat "), "no stack trace: " + err);
  }
}
