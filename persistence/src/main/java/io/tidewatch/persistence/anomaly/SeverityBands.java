package io.tidewatch.persistence.anomaly;

import com.typesafe.config.Config;
import io.tidewatch.protocol.Severity;

/**
 * A rule's grading of its hits: the ratio of how far a value went to how far the rule allows (|Δ| / threshold for
 * delta, |z| / k for zscore; for range, 1 + the excess over the bound / the range's width) is a warning from 1, an
 * error from {@code error}, critical from {@code critical}.
 */
public record SeverityBands(double error, double critical) {

  /** Without a {@code severity} block: error at 1.5 times the threshold, critical at 2 times. */
  public static final SeverityBands DEFAULT = new SeverityBands(1.5, 2.0);

  public SeverityBands {
    if (!(error > 1.0 && critical >= error && Double.isFinite(critical))) {
      throw new IllegalArgumentException("severity bands need 1 < error <= critical, got error = " + error
          + ", critical = " + critical);
    }
  }

  public Severity of(double ratio) {
    return ratio >= critical ? Severity.CRITICAL : ratio >= error ? Severity.ERROR : Severity.WARNING;
  }

  /** The {@code severity { error = 1.5, critical = 2.0 }} block of a rule, either key optional. */
  static SeverityBands fromConfig(Config rule) {
    if (!rule.hasPath("severity")) {
      return DEFAULT;
    }
    Config bands = rule.getConfig("severity");
    return new SeverityBands(
        bands.hasPath("error") ? bands.getDouble("error") : DEFAULT.error(),
        bands.hasPath("critical") ? bands.getDouble("critical") : DEFAULT.critical());
  }
}
