package io.tidewatch.persistence.readside;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The listing of entity ids ({@code GET /entities/{type}}), written by each new entity before its first event is
 * journaled: one idempotent row per entity. The row also says whether the entity journaled outputs that no ask
 * carried (windows the idle timer closed) and that it has not published yet: a starting node wakes those entities,
 * and their recovery publishes them.
 */
public interface EntityIndex {

  /** Lists the entity; listing it again changes nothing but its first-seen time. */
  CompletionStage<?> register(String type, String id, long firstSeenMs);

  /** Marks the entity as having unpublished outputs, or clears the mark; an overwrite, never a delete. */
  CompletionStage<?> outputsPending(String type, String id, boolean pending);

  /** Ids of the entities of {@code type} marked as having unpublished outputs. */
  CompletionStage<List<String>> withOutputsPending(String type);
}
