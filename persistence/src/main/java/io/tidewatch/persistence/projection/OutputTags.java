package io.tidewatch.persistence.projection;

import java.util.List;

/**
 * The tags that feed the output projections, one projection instance per tag. An entity's events carry the tag of
 * its slice. Never change the count without a migration plan: events keep the tag they were written with.
 */
public final class OutputTags {

  public static final List<String> TAGS = List.of("tidewatch-0", "tidewatch-1", "tidewatch-2", "tidewatch-3");

  private OutputTags() {}

  public static String tagFor(String entityId) {
    return TAGS.get(Math.abs(entityId.hashCode() % TAGS.size()));
  }
}
