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

  /**
   * Records, as the entity passivates, when its state expires if it hears nothing more (its type's {@code state-ttl}):
   * the processing time it last heard a reading, its last sequence number then, and the time it expires; its expired
   * mark goes. Written once per passivation, never per reading. Writes of the expiry columns are ordered by
   * {@link #expiryWriteTime}, so that a write from an older incarnation never replaces a newer one.
   *
   * @param heardKnown false if the entity recovered and heard nothing, so that {@code heardAt} is only its recovery:
   *     such a guess gives way to a known time recorded at the same sequence number
   */
  CompletionStage<?> expiresAt(String type, String id, long heardAt, long seqNr, long expiresAt, boolean heardKnown);

  /** The entity's state expired at {@code expiredAt} (sequence number {@code seqNr}): marked, and no longer due. */
  CompletionStage<?> expired(String type, String id, long expiredAt, long seqNr);

  /** The entity heard a reading after its state expired (it is at sequence number {@code seqNr} now): the mark goes. */
  CompletionStage<?> heardAfterExpiry(String type, String id, long seqNr);

  /**
   * Entities of {@code type} whose recorded expiry is at or before {@code nowMs}, in id order from the first after
   * {@code after} ("" for the first), at most {@code limit}.
   */
  CompletionStage<List<DueExpiry>> dueToExpire(String type, long nowMs, String after, int limit);

  /** An entity due to expire, with what it recorded when it passivated. */
  record DueExpiry(String id, long heardAt, long seqNr) {}

  /** The write time of the expiry columns: by sequence number, a known last-heard time above a guessed one. */
  static long expiryWriteTime(long seqNr, boolean heardKnown) {
    return seqNr * 2 + (heardKnown ? 1 : 0);
  }
}
