package io.tidewatch.persistence.anomaly;

import com.amazon.randomcutforest.RandomCutForest;
import com.amazon.randomcutforest.returntypes.DiVector;
import com.amazon.randomcutforest.state.ExecutionContext;
import com.amazon.randomcutforest.state.RandomCutForestMapper;
import com.amazon.randomcutforest.state.RandomCutForestState;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Random Cut Forest of one entity for one {@link AnomalyRule.Rcf} rule, and what the reading it learned last
 * scored. {@link #learn} scores a reading against the forest as it was, then adds the reading to it: once per
 * reading, in arrival order, live and on replay alike, so the hit and the ratio an open incident's recovery is
 * judged by both read that one score, and the forest is changed once.
 *
 * <p>A plain {@code RandomCutForest} with the rule's fixed score threshold, not parkservices'
 * {@code ThresholdedRandomCutForest}: its grade comes from a threshold that adapts to the stream's own recent
 * scores, so "how far past the threshold" (the ratio the severity bands and the recovery band read) would move
 * with the stream, where every other rule has a fixed limit an operator sets; and it keeps a preprocessor, a
 * thresholder and the last descriptor per entity, and on an anomaly computes expected values with more passes
 * over the trees — heap, snapshot bytes and time that 10,000 entities each pay. The attribution ({@link DiVector})
 * of a point sums to its score, so one pass over the trees gives both.
 *
 * <p>Deterministic: the forest is seeded from the rule's seed and the entity id, and its state — tree structure,
 * samplers and their random generators — goes into the entity's snapshot whole ({@link #snapshot}), so a forest
 * restored from it scores every later reading exactly as the one that kept running. Not byte for byte: the point
 * store numbers and places its points in an order of its own (taking a snapshot compacts it, a restored one
 * allocates anew), which no score depends on. Trees keep no bounding-box cache: at the default size that halves
 * the forest's heap (about 90 KB instead of 180 KB) for about twice the time per score.
 */
public final class RcfForest {

  /** The state's own form, CBOR: compact, and Jackson maps the library's state beans as they are. */
  private static final ObjectMapper CBOR =
      new ObjectMapper(new CBORFactory()).configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private final AnomalyRule.Rcf rule;
  private final RandomCutForest forest;
  private final float[] point;
  /** The last reading's score, taken before it joined the forest; NaN if it was not scored. */
  private double score = Double.NaN;
  /** The last reading's attribution per dimension; kept only while its score fires. */
  private DiVector attribution;

  private RcfForest(AnomalyRule.Rcf rule, RandomCutForest forest) {
    this.rule = rule;
    this.forest = forest;
    this.point = new float[rule.metrics().size()];
  }

  public static RcfForest create(AnomalyRule.Rcf rule, String entityId) {
    RandomCutForest forest = RandomCutForest.builder()
        .dimensions(rule.metrics().size() * rule.shingleSize())
        .shingleSize(rule.shingleSize())
        .internalShinglingEnabled(true)
        .numberOfTrees(rule.trees())
        .sampleSize(rule.sampleSize())
        .outputAfter(1) // the rule's warm-up decides when scores count
        .boundingBoxCacheFraction(0) // points are kept as floats (FLOAT_32, the library's one precision now)
        .randomSeed(seed(rule.seed(), entityId))
        .build();
    return new RcfForest(rule, forest);
  }

  /** A forest restored from {@link #snapshot}. */
  public static RcfForest restore(AnomalyRule.Rcf rule, String entityId, byte[] snapshot) {
    try {
      RandomCutForestState state = CBOR.readValue(snapshot, RandomCutForestState.class);
      // The samplers and trees carry their own generators' state; the seed here seeds nothing they use.
      return new RcfForest(rule, mapper().toModel(state, new ExecutionContext(), seed(rule.seed(), entityId)));
    } catch (IOException e) {
      throw new UncheckedIOException("unreadable rcf forest in the snapshot", e);
    }
  }

  /**
   * The forest's whole state (trees included: rebuilt from the samplers they would cut differently), CBOR. Compacts
   * the forest's point store on the way, which changes no score.
   */
  public byte[] snapshot() {
    try {
      return CBOR.writeValueAsBytes(mapper().toState(forest));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static RandomCutForestMapper mapper() {
    RandomCutForestMapper mapper = new RandomCutForestMapper();
    mapper.setSaveTreeStateEnabled(true);
    mapper.setCompressionEnabled(true);
    return mapper;
  }

  /**
   * The forest's seed: the rule's seed and the entity id mixed (SplitMix64's finalizer), so that entities do not
   * share cuts; {@code String.hashCode} is fixed by the language, so every node and every replay derives the same.
   */
  static long seed(long seed, String entityId) {
    long z = seed * 0x9E3779B97F4A7C15L + entityId.hashCode();
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /**
   * Scores the reading's values against the forest, unless the forest is still warming up, then adds them to it.
   * A reading without every metric of the set (or with one beyond float range) is neither scored nor learned.
   */
  public void learn(Map<String, Double> metrics) {
    score = Double.NaN;
    attribution = null;
    List<String> names = rule.metrics();
    for (int i = 0; i < point.length; i++) {
      Double value = metrics.get(names.get(i));
      if (value == null || !Float.isFinite(value.floatValue())) {
        return;
      }
      point[i] = value.floatValue();
    }
    if (forest.getTotalUpdates() >= rule.warmUp()) {
      DiVector scored = forest.getAnomalyAttribution(point);
      score = scored.getHighLowSum();
      if (score > rule.threshold()) {
        attribution = scored;
      }
    }
    forest.update(point);
  }

  /** The last reading's score / threshold; NaN if it was not scored. */
  public double ratio() {
    return score / rule.threshold();
  }

  public AnomalyRule.Rcf rule() {
    return rule;
  }

  /** How many readings the forest has learned. */
  public long learned() {
    return forest.getTotalUpdates();
  }

  /** The last reading's score, taken before it joined the forest; NaN if it was not scored. */
  public double score() {
    return score;
  }

  /**
   * The hit of the last reading, or null: its metric the one with the largest share of the score, its value that
   * metric's, and the share of each metric of the set (summed over the shingle's positions).
   */
  public AnomalyHit hit(Map<String, Double> metrics) {
    if (attribution == null) {
      return null;
    }
    List<String> names = rule.metrics();
    Map<String, Double> shares = new TreeMap<>();
    String top = names.get(0);
    for (int m = 0; m < names.size(); m++) {
      double share = 0;
      for (int d = m; d < attribution.getDimensions(); d += names.size()) { // a shingle is its points in a row
        share += attribution.getHighLowSum(d);
      }
      shares.put(names.get(m), share);
      if (share > shares.get(top)) {
        top = names.get(m);
      }
    }
    return new AnomalyHit(
        AnomalyRule.Rcf.NAME, top, metrics.get(top), Double.NaN, rule.threshold(), rule.severity().of(ratio()), shares);
  }
}
