package io.tidewatch.persistence.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.tidewatch.persistence.anomaly.AnomalyRule;
import io.tidewatch.protocol.Reading;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PipelineTest {

  private static Pipeline pipeline(String steps) {
    return Pipeline.of(ConfigFactory.parseString("pipeline = " + steps).getConfigList("pipeline"));
  }

  private static Reading reading(Map<String, Double> metrics) {
    return new Reading("sensor", "s-1", 1_700_000_000_123L, metrics, "reading", Map.of("site", "plant-1"));
  }

  @Test
  void rejectsAnExpressionThatDoesNotParseWithItsPosition() {
    var e = assertThrows(InvalidPipeline.class, () -> pipeline("[{ drop-if = \"metrics.temperature > \" }]"));
    assertEquals("pipeline[0].drop-if", e.key());
    assertTrue(e.getMessage().startsWith("expression \"metrics.temperature > \" at line 1, column "), e.getMessage());
  }

  @Test
  void rejectsAnExpressionOfTheWrongTypeWithItsPositionAndReason() {
    var e = assertThrows(
        InvalidPipeline.class,
        () -> pipeline("[{ drop-metrics = [x] }, { derive = d, expr = \"metrics.a + nope\" }]"));
    assertEquals("pipeline[1].expr", e.key());
    assertTrue(e.getMessage().contains("column 13"), e.getMessage());
    assertTrue(e.getMessage().contains("nope"), e.getMessage());
    var notDouble = assertThrows(InvalidPipeline.class, () -> pipeline("[{ derive = d, expr = \"attrs.site\" }]"));
    assertTrue(notDouble.getMessage().contains("string"), notDouble.getMessage());
  }

  @Test
  void rejectsUnknownUnitsAndStepShapes() {
    assertEquals("pipeline[0].to",
        assertThrows(InvalidPipeline.class, () -> pipeline("[{ convert = t, from = degF, to = Pa }]")).key());
    assertEquals("pipeline[0]", assertThrows(InvalidPipeline.class, () -> pipeline("[{ frobnicate = t }]")).key());
  }

  @Test
  void dropIfDeadLettersWithThePredicateNamed() {
    var result = pipeline("[{ drop-if = \"metrics.temperature > 150.0\", action = dead-letter }]")
        .apply(reading(Map.of("temperature", 200.0)));
    assertEquals(
        new PipelineResult.DeadLetter("pipeline: 0:drop-if drop-if \"metrics.temperature > 150.0\" matched"), result);
  }

  @Test
  void dropIfFilterCountsTheStepAndKeepsOthers() {
    var p = pipeline("[{ drop-if = \"attrs.site == 'test-bench' || event == 'heartbeat'\", action = filter }]");
    var filtered = p.apply(new Reading("sensor", "s-1", 1, Map.of(), "heartbeat", Map.of("site", "x")));
    assertEquals("0:drop-if", assertInstanceOf(PipelineResult.Filtered.class, filtered).step());
    Reading ok = reading(Map.of("t", 1.0));
    assertSame(ok, assertInstanceOf(PipelineResult.Kept.class, p.apply(ok)).reading());
  }

  @Test
  void derivesConvertsAndDropsMetricsInOrder() {
    var p = pipeline("""
        [ { convert = temperature, from = degF, to = degC }
          { derive = heat, expr = "metrics.temperature * 2.0 + double(ts % 1000)" }
          { drop-metrics = [raw_x] }
          { convert = pressure, from = Pa, to = hPa } ]""");
    var kept = assertInstanceOf(
        PipelineResult.Kept.class,
        p.apply(reading(Map.of("temperature", 212.0, "raw_x", 3.0, "pressure", 101325.0)))).reading();
    assertEquals(100.0, kept.metrics().get("temperature"), 1e-9);
    assertEquals(323.0, kept.metrics().get("heat"), 1e-9);
    assertEquals(1013.25, kept.metrics().get("pressure"), 1e-9);
    assertEquals(List.of("heat", "pressure", "temperature"), kept.metrics().keySet().stream().sorted().toList());
    assertEquals(Map.of("site", "plant-1"), kept.attrs());
  }

  @Test
  void aMissingMetricAtRuntimeDeadLettersNamingTheStep() {
    var result = pipeline("[{ derive = d, expr = \"metrics.humidity / 100.0\" }]").apply(reading(Map.of("t", 1.0)));
    var reason = assertInstanceOf(PipelineResult.DeadLetter.class, result).reason();
    assertTrue(reason.startsWith("pipeline: 0:derive derive d = \"metrics.humidity / 100.0\" failed: "), reason);
    assertTrue(reason.contains("humidity"), reason);
    var guarded = pipeline("[{ derive = d, expr = \"has(metrics.humidity) ? metrics.humidity : -1.0\" }]")
        .apply(reading(Map.of("t", 1.0)));
    assertEquals(-1.0, assertInstanceOf(PipelineResult.Kept.class, guarded).reading().metrics().get("d"));
    var anyHot = pipeline("[{ drop-if = \"metrics.exists(k, metrics[k] > 100.0)\", action = filter }]")
        .apply(reading(Map.of("a", 1.0, "b", 101.0)));
    assertInstanceOf(PipelineResult.Filtered.class, anyHot);
  }

  @Test
  void aDerivedValueThatBreaksTheMetricRulesDeadLetters() {
    var result = pipeline("[{ derive = d, expr = \"metrics.t / 0.0\" }]").apply(reading(Map.of("t", 1.0)));
    assertEquals(
        new PipelineResult.DeadLetter("pipeline: after its steps, metric d must be finite, got Infinity"), result);
  }

  @Test
  void convertsRangeBoundsFullyAndDeltaByScaleOnly() {
    var p = pipeline("[{ convert = temperature, from = degF, to = degC }]");
    var rules = p.convertThresholds(List.of(
        new AnomalyRule.Range(List.of("temperature", "humidity"), 32.0, 212.0),
        new AnomalyRule.Delta(List.of("temperature"), 9.0),
        new AnomalyRule.ZScore(List.of("temperature"), 3.0, 10, 5),
        new AnomalyRule.Delta(List.of("*"), 9.0)));
    var range = (AnomalyRule.Range) rules.get(0);
    assertEquals(List.of("temperature"), range.metrics());
    assertEquals(0.0, range.min(), 1e-9);
    assertEquals(100.0, range.max(), 1e-9);
    assertEquals(new AnomalyRule.Range(List.of("humidity"), 32.0, 212.0), rules.get(1));
    assertEquals(5.0, ((AnomalyRule.Delta) rules.get(2)).threshold(), 1e-9);
    assertEquals(new AnomalyRule.ZScore(List.of("temperature"), 3.0, 10, 5), rules.get(3));
    assertEquals(new AnomalyRule.Delta(List.of("*"), 9.0), rules.get(4));
  }

  @Test
  void aTypeWithoutPipelineHasNone() {
    assertSame(Pipeline.NONE, Pipeline.fromConfig("sensor", ConfigFactory.parseString("windows = []")));
  }
}
