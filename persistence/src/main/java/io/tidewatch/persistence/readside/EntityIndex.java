package io.tidewatch.persistence.readside;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The entity's row in the listing of entity ids ({@code GET /entities/{type}}), which the {@code OutputSink} writes
 * with the entity's first outputs ({@code Outputs.registration}): before the offsets of its first readings are
 * committed, and again on a redelivery of those readings. The row also says whether the entity journaled outputs that no ask
 * carried (windows the idle timer closed) and that it has not published yet: a starting node wakes those entities,
 * and their recovery publishes them.
 */
public interface EntityIndex {

  /** Marks the entity as having unpublished outputs, or clears the mark; an overwrite, never a delete. */
  CompletionStage<?> outputsPending(String type, String id, boolean pending);

  /** Ids of the entities of {@code type} marked as having unpublished outputs. */
  CompletionStage<List<String>> withOutputsPending(String type);
}
