package io.tidewatch.persistence.pipeline;

import io.tidewatch.protocol.Reading;

/** What a type's pipeline made of one reading. */
public sealed interface PipelineResult {

  /** The reading goes on to its entity, as the pipeline left it. */
  record Kept(Reading reading) implements PipelineResult {}

  /** A {@code filter} predicate matched: the reading is counted under {@code step} and acknowledged, nothing more. */
  record Filtered(String step, String reason) implements PipelineResult {}

  /** The reading goes to dead letters with {@code reason}, which names the step. */
  record DeadLetter(String reason) implements PipelineResult {}
}
