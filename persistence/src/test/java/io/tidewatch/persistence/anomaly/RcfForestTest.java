package io.tidewatch.persistence.anomaly;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * One entity's forest (issue 18): it catches a level shift soon after its warm-up, scores the same readings the same
 * way every time, and continues from its snapshot exactly as if it had never stopped.
 */
class RcfForestTest {

  /** The rule as the example configures it, with the default forest size. */
  private static final AnomalyRule.Rcf RULE = new AnomalyRule.Rcf(List.of("temperature", "humidity"), 256, 3.0);

  /** 300 readings around 20 °C and 40 % with noise, then the temperature jumps to 35. */
  private static List<Map<String, Double>> levelShift(long seed) {
    Random random = new Random(seed);
    List<Map<String, Double>> readings = new ArrayList<>();
    for (int i = 0; i < 320; i++) {
      double temperature = (i < 300 ? 20 : 35) + random.nextGaussian() * 0.5;
      readings.add(Map.of("temperature", temperature, "humidity", 40 + random.nextGaussian() * 2));
    }
    return readings;
  }

  /** Feeds the readings, returning each one's score (NaN while warming up). */
  private static double[] scores(RcfForest forest, List<Map<String, Double>> readings) {
    double[] scores = new double[readings.size()];
    for (int i = 0; i < readings.size(); i++) {
      forest.learn(readings.get(i));
      scores[i] = forest.score();
    }
    return scores;
  }

  @Test
  void anInjectedLevelShiftIsCaughtWithinAFewReadingsAfterWarmUp() {
    for (long seed = 0; seed < 5; seed++) {
      RcfForest forest = RcfForest.create(RULE, "sensor-0000" + seed);
      List<Map<String, Double>> readings = levelShift(seed);
      AnomalyHit first = null;
      int at = -1;
      for (int i = 0; i < readings.size() && first == null; i++) {
        forest.learn(readings.get(i));
        first = forest.hit(readings.get(i));
        at = i;
      }
      assertNotNull(first, "seed " + seed + ": the shift is never caught");
      assertTrue(at >= 300 && at < 305, "seed " + seed + ": first hit at reading " + at + ", the shift is at 300");
      assertEquals("rcf", first.rule());
      assertEquals("temperature", first.metric(), "the metric that moved has the largest share");
      assertEquals(readings.get(at).get("temperature"), first.value());
      assertEquals(3.0, first.threshold());
      assertEquals(forest.score(), first.attribution().values().stream().mapToDouble(Double::doubleValue).sum(), 1e-9,
          "the shares sum to the score");
      assertEquals(RULE.severity().of(forest.score() / 3.0), first.severity());
    }
  }

  @Test
  void nothingScoresDuringWarmUpAndOrdinaryReadingsStayBelowTheThreshold() {
    RcfForest forest = RcfForest.create(RULE, "sensor-00001");
    double[] scores = scores(forest, levelShift(1).subList(0, 300));
    for (int i = 0; i < 256; i++) {
      assertTrue(Double.isNaN(scores[i]), "reading " + i + " is in the warm-up");
    }
    for (int i = 256; i < 300; i++) {
      assertTrue(scores[i] > 0 && scores[i] < 3.0, "reading " + i + " scored " + scores[i]);
    }
    assertEquals(300, forest.learned());
  }

  @Test
  void theSameReadingsReplayedGiveTheSameScores() {
    List<Map<String, Double>> readings = levelShift(2);
    double[] live = scores(RcfForest.create(RULE, "sensor-00002"), readings);
    double[] replayed = scores(RcfForest.create(RULE, "sensor-00002"), readings);
    assertArrayEquals(live, replayed);
    double[] otherEntity = scores(RcfForest.create(RULE, "sensor-00003"), readings);
    assertNotEquals(live[310], otherEntity[310], "each entity's forest has its own seed");
  }

  @Test
  void aForestRestoredFromItsSnapshotScoresAsTheOneThatKeptRunning() {
    List<Map<String, Double>> readings = levelShift(3);
    RcfForest running = RcfForest.create(RULE, "sensor-00004");
    scores(running, readings.subList(0, 280));
    byte[] snapshot = running.snapshot();
    RcfForest restored = RcfForest.restore(RULE, "sensor-00004", snapshot);

    assertArrayEquals(scores(running, readings.subList(280, 320)), scores(restored, readings.subList(280, 320)));
    assertArrayEquals(running.snapshot(), restored.snapshot(), "and ends in the same state");
    assertEquals(320, restored.learned());
    assertTrue(snapshot.length < 100_000, "a compact snapshot: " + snapshot.length + " bytes");
  }

  @Test
  void aReadingWithoutEveryMetricOfTheSetIsNeitherScoredNorLearned() {
    RcfForest forest = RcfForest.create(new AnomalyRule.Rcf(List.of("temperature", "humidity"), 1, 3.0), "s");
    forest.learn(Map.of("temperature", 20.0, "humidity", 40.0));
    forest.learn(Map.of("temperature", 90.0));
    assertTrue(Double.isNaN(forest.score()));
    assertNull(forest.hit(Map.of("temperature", 90.0)));
    assertEquals(1, forest.learned());
  }
}
