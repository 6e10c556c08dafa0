package io.tidewatch.persistence.anomaly;

import com.typesafe.config.Config;

/**
 * When an entity's incident resolves ({@code tidewatch.entity-types.<type>.incidents}): once the metric has stayed
 * inside the recovery band — the rule's ratio (the one its severity bands grade) at or below {@code recovery} — for
 * {@code keepFiringMs} of event time. The band below the threshold and the time both keep a value hovering at the
 * threshold from opening and resolving incidents on every other reading.
 *
 * <p>{@code silentAfterMs} (0: off) is the {@value #SILENT} rule: an entity that heard nothing for that long of
 * processing time raises a hit and opens an incident on all its metrics ({@value #ALL_METRICS}), which its next
 * reading resolves — what Prometheus' {@code absent()} and Grafana's NoData tell. The silence is measured in
 * processing time (there is no event time without data); the hit carries the event time of the last reading.
 */
public record IncidentPolicy(double recovery, long keepFiringMs, long silentAfterMs) {

  /** The rule of an entity that went silent. */
  public static final String SILENT = "silent";
  /** The metric of a hit that concerns all of an entity's metrics. */
  public static final String ALL_METRICS = "*";

  /** Back below 80 % of the threshold, for a minute; silence not watched. */
  public static final IncidentPolicy DEFAULT = new IncidentPolicy(0.8, 60_000, 0);

  public IncidentPolicy {
    if (!(recovery > 0 && recovery < 1) || keepFiringMs < 0 || silentAfterMs < 0) {
      throw new IllegalArgumentException(
          "incidents need 0 < recovery < 1, keep-firing >= 0 and silent-after >= 0, got recovery = " + recovery
              + ", keep-firing = " + keepFiringMs + " ms, silent-after = " + silentAfterMs + " ms");
    }
  }

  public IncidentPolicy(double recovery, long keepFiringMs) {
    this(recovery, keepFiringMs, 0);
  }

  /** True if silence raises a hit. */
  public boolean watchesSilence() {
    return silentAfterMs > 0;
  }

  /**
   * The optional {@code incidents { recovery = 0.8, keep-firing = 60s, silent-after = off }} block of an entity type
   * ({@code silent-after} a duration or {@code off}).
   */
  public static IncidentPolicy fromConfig(Config type) {
    if (!type.hasPath("incidents")) {
      return DEFAULT;
    }
    Config block = type.getConfig("incidents");
    return new IncidentPolicy(
        block.hasPath("recovery") ? block.getDouble("recovery") : DEFAULT.recovery(),
        block.hasPath("keep-firing") ? block.getDuration("keep-firing").toMillis() : DEFAULT.keepFiringMs(),
        !block.hasPath("silent-after") || block.getString("silent-after").equals("off")
            ? 0
            : block.getDuration("silent-after").toMillis());
  }
}
