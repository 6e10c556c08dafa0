package io.tidewatch.persistence.anomaly;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The forests of one entity: one per {@link AnomalyRule.Rcf} rule of its type, in the rules' order. Only entities of
 * a type with an rcf rule have one, from their first reading.
 */
public final class RcfForests {

  private final RcfForest[] forests;

  private RcfForests(RcfForest[] forests) {
    this.forests = forests;
  }

  /** New forests for the rcf rules among {@code rules}. */
  public static RcfForests create(List<AnomalyRule> rules, String entityId) {
    return restore(rules, entityId, Map.of());
  }

  /**
   * The forests of {@link #snapshot}; a rule whose forest the snapshot lacks (its metrics, size or seed changed
   * since) starts a new one.
   */
  public static RcfForests restore(List<AnomalyRule> rules, String entityId, Map<String, byte[]> snapshot) {
    List<RcfForest> forests = new ArrayList<>(1);
    for (AnomalyRule rule : rules) {
      if (rule instanceof AnomalyRule.Rcf rcf) {
        byte[] state = snapshot.get(rcf.forestKey());
        forests.add(state == null ? RcfForest.create(rcf, entityId) : RcfForest.restore(rcf, entityId, state));
      }
    }
    return new RcfForests(forests.toArray(RcfForest[]::new));
  }

  /** Each forest's state by its rule's {@link AnomalyRule.Rcf#forestKey}, sorted. */
  public Map<String, byte[]> snapshot() {
    Map<String, byte[]> states = new TreeMap<>();
    for (RcfForest forest : forests) {
      states.put(forest.rule().forestKey(), forest.snapshot());
    }
    return states;
  }

  /** Scores the reading with every forest, then adds it to them ({@link RcfForest#learn}). */
  public void learn(Map<String, Double> metrics) {
    for (RcfForest forest : forests) {
      forest.learn(metrics);
    }
  }

  /** The hits of the reading last learned. */
  public List<AnomalyHit> hits(Map<String, Double> metrics) {
    List<AnomalyHit> hits = List.of();
    for (RcfForest forest : forests) {
      AnomalyHit hit = forest.hit(metrics);
      if (hit != null) {
        if (hits.isEmpty()) {
          hits = new ArrayList<>(1);
        }
        hits.add(hit);
      }
    }
    return hits;
  }

  /**
   * The ratio of the reading last learned for an rcf incident on {@code metric}: the furthest of the forests that
   * watch it; NaN if none scored it.
   */
  public double ratio(String metric) {
    double furthest = Double.NaN;
    for (RcfForest forest : forests) {
      double ratio = forest.ratio();
      if (forest.rule().appliesTo(metric) && !Double.isNaN(ratio) && !(ratio <= furthest)) {
        furthest = ratio;
      }
    }
    return furthest;
  }

  /** The forests, in the order of the type's rcf rules. */
  public List<RcfForest> forests() {
    return List.of(forests);
  }
}
