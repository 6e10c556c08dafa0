package io.tidewatch.persistence.anomaly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code rcf} rule's configuration: what it reads, its defaults, and errors that name the key at fault. */
class RcfRuleTest {

  private static AnomalyRule parse(String hocon) {
    return AnomalyRule.fromConfig("sensor", ConfigFactory.parseString(hocon));
  }

  private static String error(String hocon) {
    return assertThrows(IllegalArgumentException.class, () -> parse(hocon)).getMessage();
  }

  @Test
  void readsEveryKeyOfTheRule() {
    AnomalyRule rule = parse("""
        rule = rcf, metrics = ["temperature", "humidity"], warm-up = 100, threshold = 2.5, trees = 20,
        sample-size = 64, shingle-size = 4, seed = 7, severity { error = 1.2, critical = 1.6 }""");
    assertEquals(
        new AnomalyRule.Rcf(List.of("temperature", "humidity"), 100, 2.5, 20, 64, 4, 7, new SeverityBands(1.2, 1.6)),
        rule);
    assertEquals("rcf", rule.name());
    assertTrue(rule.appliesTo("humidity"));
  }

  @Test
  void keysLeftOutTakeTheDefaults() {
    AnomalyRule.Rcf rule = (AnomalyRule.Rcf) parse("rule = rcf, metrics = [temperature], threshold = 3");
    assertEquals(256, rule.warmUp());
    assertEquals(30, rule.trees());
    assertEquals(128, rule.sampleSize());
    assertEquals(1, rule.shingleSize());
    assertEquals(0, rule.seed());
    assertEquals(SeverityBands.DEFAULT, rule.severity());
  }

  @Test
  void needsAnExplicitMetricSetAndAThreshold() {
    assertEquals("rcf needs metrics = [...], the metrics of its forest", error("rule = rcf, threshold = 3"));
    assertEquals("rcf needs metrics = [...] naming the distinct metrics of its forest (no \"*\"), got metrics = [*]",
        error("rule = rcf, metrics = [\"*\"], threshold = 3"));
    assertEquals("rcf needs metrics = [...] naming the distinct metrics of its forest (no \"*\"), got metrics = [t, t]",
        error("rule = rcf, metrics = [t, t], threshold = 3"));
    ConfigException.Missing missing = assertThrows(ConfigException.Missing.class, () -> parse("rule = rcf, metrics = [t]"));
    assertTrue(missing.getMessage().contains("threshold"), missing.getMessage());
  }

  @Test
  void rejectsSizesThatCannotMakeAForestNamingTheKey() {
    assertEquals("rcf needs threshold > 0 (an anomaly score), got threshold = 0.0",
        error("rule = rcf, metrics = [t], threshold = 0"));
    assertEquals("rcf needs trees >= 1, got trees = 0", error("rule = rcf, metrics = [t], threshold = 3, trees = 0"));
    assertEquals("rcf needs sample-size >= 8, got sample-size = 4",
        error("rule = rcf, metrics = [t], threshold = 3, sample-size = 4"));
    assertEquals("rcf needs shingle-size >= 1, got shingle-size = 0",
        error("rule = rcf, metrics = [t], threshold = 3, shingle-size = 0"));
    assertEquals("rcf needs warm-up >= shingle-size (8), got warm-up = 4",
        error("rule = rcf, metrics = [t], threshold = 3, shingle-size = 8, warm-up = 4"));
  }

  @Test
  void theUnknownRuleMessageListsRcf() {
    assertEquals("entity type sensor: unknown anomaly rule 'forest' (delta, zscore, range, rcf or onnx)",
        error("rule = forest, threshold = 3"));
  }

  @Test
  void theOtherRulesLeaveRcfToTheForests() {
    AnomalyRules rules = new AnomalyRules(List.of(
        new AnomalyRule.Rcf(List.of("t"), 10, 0.001), new AnomalyRule.Delta(List.of("*"), 5.0)));
    MetricHistory history = new MetricHistory(0);
    history.record(20);
    assertEquals(List.of("delta"), rules.check("t", 99, history).stream().map(AnomalyHit::rule).toList());
    assertTrue(Double.isNaN(rules.ratio("rcf", "t", 99, history)), "an rcf ratio is its forest's score");
    assertTrue(rules.learns());
    assertTrue(rules.remembers("t"), "delta watches t");
    assertTrue(!new AnomalyRules(List.of(new AnomalyRule.Rcf(List.of("t"), 10, 3))).remembers("t"),
        "a metric only rcf watches needs no history");
  }
}
