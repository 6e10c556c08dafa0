package io.tidewatch.persistence.anomaly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.tidewatch.protocol.Severity;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code onnx} rule (issue 18): its configuration, its errors, and how a model written by the test scores
 * readings (score = max |x − (20, 40)| / 1, threshold 3).
 */
class OnnxRuleTest {

  @TempDir Path dir;

  private Path model() {
    return TestModels.write(dir, "distance.onnx", TestModels.distance(new float[] {20, 40}, 1));
  }

  private static AnomalyRule parse(String hocon) {
    return AnomalyRule.fromConfig("sensor", ConfigFactory.parseString(hocon));
  }

  private String rule(Path model, String more) {
    return "rule = onnx, metrics = [temperature, humidity], model = \"" + model + "\", threshold = 3.0" + more;
  }

  private static String error(String hocon) {
    return assertThrows(IllegalArgumentException.class, () -> parse(hocon)).getMessage();
  }

  @Test
  void readsEveryKeyOfTheRuleAndDefaultsTheModelsOnlyInputAndFirstOutput() throws Exception {
    Path model = model();
    AnomalyRule.Onnx rule = (AnomalyRule.Onnx) parse(rule(model, ", severity { error = 1.2, critical = 1.6 }"));
    assertEquals("onnx", rule.name());
    assertEquals(List.of("temperature", "humidity"), rule.metrics());
    assertEquals(3.0, rule.threshold());
    assertEquals("x", rule.input());
    assertEquals("score", rule.output());
    assertEquals(new SeverityBands(1.2, 1.6), rule.severity());
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(model)));
    assertEquals("sha256:" + sha, rule.session().hash());

    AnomalyRule.Onnx named = (AnomalyRule.Onnx) parse(rule(model, ", input = x, output = score"));
    assertSame(rule.session(), named.session(), "one session per model file, shared");
  }

  @Test
  void aReadingFarFromTheCentreIsAHitGradedByScoreOverThreshold() {
    AnomalyRules rules = new AnomalyRules(List.of(parse(rule(model(), ""))));
    assertEquals(List.of(), rules.score(Map.of("temperature", 21.0, "humidity", 41.5)), "score 1.5: normal");

    List<AnomalyHit> hits = rules.score(Map.of("temperature", 20.0, "humidity", 47.0)); // score 7, ratio 2.33
    assertEquals(1, hits.size());
    AnomalyHit hit = hits.get(0);
    assertEquals("onnx", hit.rule());
    assertEquals("temperature", hit.metric(), "the rule's first metric");
    assertEquals(20.0, hit.value());
    assertEquals(3.0, hit.threshold());
    assertEquals(Severity.CRITICAL, hit.severity());
    assertTrue(hit.model().startsWith("sha256:"), hit.model());
    assertNull(hit.attribution());

    assertEquals(Severity.WARNING, rules.score(Map.of("temperature", 24.0, "humidity", 40.0)).get(0).severity());
    assertEquals(Severity.ERROR, rules.score(Map.of("temperature", 24.6, "humidity", 40.0)).get(0).severity());
    assertEquals(7 / 3.0, rules.scoreRatio("temperature", Map.of("temperature", 20.0, "humidity", 47.0)), 1e-6);
  }

  @Test
  void aReadingMissingAFeatureIsNotScoredAndTheOtherRulesLeaveTheModelAlone() {
    AnomalyRules rules = new AnomalyRules(List.of(parse(rule(model(), "")), new AnomalyRule.Delta(List.of("*"), 5)));
    assertEquals(List.of(), rules.score(Map.of("temperature", 99.0)));
    assertTrue(Double.isNaN(rules.scoreRatio("temperature", Map.of("temperature", 99.0))));
    assertTrue(rules.scores());
    assertTrue(rules.remembers("temperature"), "for the delta rule");
    assertTrue(!new AnomalyRules(List.of(parse(rule(model(), "")))).remembers("temperature"), "onnx keeps nothing");
    assertEquals(List.of(), rules.check("temperature", 99.0, null), "check is the per-value rules'");
  }

  @Test
  void aMissingModelFileIsAClearError() {
    String message = error(rule(dir.resolve("absent.onnx"), ""));
    assertTrue(message.contains("cannot read ONNX model") && message.contains("absent.onnx"), message);
  }

  @Test
  void bytesThatAreNotAModelAreAClearError() throws Exception {
    Path junk = Files.write(dir.resolve("junk.onnx"), "not a model".getBytes(StandardCharsets.UTF_8));
    String message = error(rule(junk, ""));
    assertTrue(message.contains("junk.onnx is not an ONNX model ONNX Runtime can load"), message);
  }

  @Test
  void aModelOfTheWrongInputShapeOrTypeIsAClearError() {
    Path three = TestModels.write(dir, "three.onnx", TestModels.distance(new float[] {1, 2, 3}, 1));
    String shape = error(rule(three, ""));
    assertTrue(shape.contains("not a float tensor [1, 2]"), shape);

    Path ints = TestModels.write(dir, "ints.onnx", TestModels.distanceOverInts(new float[] {20, 40}, 1));
    String type = error(rule(ints, ""));
    assertTrue(type.contains("input 'x'") && type.contains("not a float tensor [1, 2]"), type);

    String input = error(rule(model(), ", input = features"));
    assertTrue(input.contains("has no input 'features' (it has [x])"), input);
    String output = error(rule(model(), ", output = probability"));
    assertTrue(output.contains("has no output 'probability' (it has [score])"), output);
  }

  @Test
  void configErrorsNameWhatIsMissing() {
    assertTrue(error("rule = onnx, metrics = [t], threshold = 3").contains("model = \"<file>\""));
    assertTrue(error(rule(model(), "").replace("threshold = 3.0", "threshold = 0")).contains("threshold > 0"));
  }
}
