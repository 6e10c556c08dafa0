package io.tidewatch.persistence.readside;

import java.util.concurrent.CompletionStage;

/**
 * The listing of entity ids ({@code GET /entities/{type}}), written by each new entity before its first event is
 * journaled: one idempotent row per entity, rather than a tagged event that every projection would read back.
 */
public interface EntityIndex {

  /** Lists the entity; listing it again changes nothing but its first-seen time. */
  CompletionStage<?> register(String type, String id, long firstSeenMs);
}
