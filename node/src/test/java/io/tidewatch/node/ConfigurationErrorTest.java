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
  void aPipelineExpressionThatDoesNotCompileNamesItsKeyPositionAndReason() throws Exception {
    Outcome outcome = node("tidewatch.entity-types.sensor.pipeline = "
        + "[{ drop-metrics = [raw] }, { derive = heat, expr = \"metrics.temperature * humidity\" }]\n");

    assertEquals(78, outcome.exitCode());
    assertOneLine(outcome.err());
    assertTrue(outcome.err().contains("tidewatch.entity-types.sensor.pipeline[1].expr"), outcome.err());
    assertTrue(outcome.err().contains("\"metrics.temperature * humidity\" at line 1, column 23"), outcome.err());
    assertTrue(outcome.err().contains("undeclared reference to 'humidity'"), outcome.err());
  }

  @Test
  void aPipelinePredicateThatIsNotBooleanNamesItsKey() throws Exception {
    Outcome outcome = node("tidewatch.entity-types.sensor.pipeline = [{ drop-if = \"metrics.temperature\" }]\n");

    assertEquals(78, outcome.exitCode());
    assertOneLine(outcome.err());
    assertTrue(outcome.err().contains("tidewatch.entity-types.sensor.pipeline[0].drop-if"), outcome.err());
    assertTrue(outcome.err().contains("bool"), outcome.err());
  }

  @Test
  void aPipelineConversionBetweenUnitsOfDifferentKindsNamesItsKey() throws Exception {
    Outcome outcome = node("tidewatch.entity-types.sensor.pipeline = [{ convert = temperature, from = degF, to = hPa }]\n");

    assertEquals(78, outcome.exitCode());
    assertOneLine(outcome.err());
    assertTrue(outcome.err().contains("tidewatch.entity-types.sensor.pipeline[0].to"), outcome.err());
    assertTrue(outcome.err().contains("cannot convert degF (temperature) to hPa (pressure)"), outcome.err());
  }

  @Test
  void aMissingOnnxModelFileNamesTheRulesModelKey() throws Exception {
    Outcome outcome = node("tidewatch.entity-types.sensor.anomalies = [{ rule = delta, threshold = 5 }, "
        + "{ rule = onnx, metrics = [temperature], model = \"" + dir.resolve("absent.onnx") + "\", threshold = 3 }]\n");

    assertEquals(78, outcome.exitCode());
    assertOneLine(outcome.err());
    assertTrue(outcome.err().contains("tidewatch.entity-types.sensor.anomalies[1].model"), outcome.err());
    assertTrue(outcome.err().contains("cannot read ONNX model"), outcome.err());
  }

  @Test
  void anOnnxModelFileThatIsNotAModelNamesTheRulesModelKey() throws Exception {
    Path junk = Files.writeString(dir.resolve("junk.onnx"), "not a model");
    Outcome outcome = node("tidewatch.entity-types.sensor.anomalies = "
        + "[{ rule = onnx, metrics = [temperature], model = \"" + junk + "\", threshold = 3 }]\n");

    assertEquals(78, outcome.exitCode());
    assertOneLine(outcome.err());
    assertTrue(outcome.err().contains("tidewatch.entity-types.sensor.anomalies[0].model"), outcome.err());
    assertTrue(outcome.err().contains("is not an ONNX model ONNX Runtime can load"), outcome.err());
  }

  private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

  private void assertNotifyError(String receivers, String key, String rule) throws Exception {
    Outcome outcome = node("tidewatch.notify.receivers = " + receivers + "\n");

    assertEquals(78, outcome.exitCode());
    assertOneLine(outcome.err());
    assertTrue(outcome.err().contains(key), outcome.err());
    assertTrue(outcome.err().contains(rule), outcome.err());
  }

  @Test
  void aWebhookUrlThatIsNotHttpNamesTheReceiversUrlKey() throws Exception {
    assertNotifyError("[{ name = ops, url = \"ftp://ops.example/hook\", secret = \"" + SECRET + "\" }]",
        "tidewatch.notify.receivers[0].url", "is not an http(s) URL");
  }

  @Test
  void aWebhookSecretThatIsNotWhsecNamesTheSecretKeyWithoutShowingIt() throws Exception {
    Outcome outcome = node("tidewatch.notify.receivers = [{ name = ops, url = \"http://ops/hook\", secret = hunter2 }]\n");

    assertEquals(78, outcome.exitCode());
    assertOneLine(outcome.err());
    assertTrue(outcome.err().contains("tidewatch.notify.receivers[0].secret"), outcome.err());
    assertTrue(outcome.err().contains("whsec_"), outcome.err());
    assertFalse(outcome.err().contains("hunter2"), "the secret is not printed: " + outcome.err());
  }

  @Test
  void anUnknownSeverityNamesTheReceiversSeveritiesKey() throws Exception {
    assertNotifyError("[{ name = ops, url = \"http://ops/hook\", secret = \"" + SECRET + "\", severities = [fatal] }]",
        "tidewatch.notify.receivers[0].severities", "unknown severity 'fatal'");
  }

  @Test
  void anUnknownReceiverKindNamesTheReceiversKindKey() throws Exception {
    assertNotifyError("[{ name = ops, kind = pagerduty, url = \"http://ops/hook\", secret = \"" + SECRET + "\" }]",
        "tidewatch.notify.receivers[0].kind", "unknown receiver kind 'pagerduty' (webhook or alertmanager)");
  }

  @Test
  void aSecretOnAnAlertmanagerReceiverNamesItsSecretKey() throws Exception {
    assertNotifyError("[{ name = am, kind = alertmanager, url = \"http://am:9093\", secret = \"" + SECRET + "\" }]",
        "tidewatch.notify.receivers[0].secret", "an alertmanager receiver takes no secret");
  }

  @Test
  void aReceiverNameUsedTwiceNamesTheReceiversKey() throws Exception {
    String ops = "{ name = ops, url = \"http://ops/hook\", secret = \"" + SECRET + "\" }";
    assertNotifyError("[" + ops + ", " + ops + "]", "tidewatch.notify.receivers", "'ops' is used twice");
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
