package io.tidewatch.persistence.anomaly;

import com.typesafe.config.Config;

/**
 * When an entity's incident resolves ({@code tidewatch.entity-types.<type>.incidents}): once the metric has stayed
 * inside the recovery band — the rule's ratio (the one its severity bands grade) at or below {@code recovery} — for
 * {@code keepFiringMs} of event time. The band below the threshold and the time both keep a value hovering at the
 * threshold from opening and resolving incidents on every other reading.
 */
public record IncidentPolicy(double recovery, long keepFiringMs) {

  /** Back below 80 % of the threshold, for a minute. */
  public static final IncidentPolicy DEFAULT = new IncidentPolicy(0.8, 60_000);

  public IncidentPolicy {
    if (!(recovery > 0 && recovery < 1) || keepFiringMs < 0) {
      throw new IllegalArgumentException(
          "incidents need 0 < recovery < 1 and keep-firing >= 0, got recovery = " + recovery + ", keep-firing = "
              + keepFiringMs + " ms");
    }
  }

  /** The optional {@code incidents { recovery = 0.8, keep-firing = 60s }} block of an entity type. */
  public static IncidentPolicy fromConfig(Config type) {
    if (!type.hasPath("incidents")) {
      return DEFAULT;
    }
    Config block = type.getConfig("incidents");
    return new IncidentPolicy(
        block.hasPath("recovery") ? block.getDouble("recovery") : DEFAULT.recovery(),
        block.hasPath("keep-firing") ? block.getDuration("keep-firing").toMillis() : DEFAULT.keepFiringMs());
  }
}
