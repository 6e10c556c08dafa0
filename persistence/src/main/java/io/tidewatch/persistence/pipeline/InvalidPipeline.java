package io.tidewatch.persistence.pipeline;

/**
 * A pipeline that cannot run: a step of unknown shape, an unknown unit, or an expression that does not compile or
 * type-check. {@code key} is the setting relative to the type's block ({@code pipeline[1].expr}), so the node at
 * boot and the dry-run route can each name it in their own terms.
 */
public final class InvalidPipeline extends RuntimeException {

  private final String key;

  InvalidPipeline(String key, String message) {
    super(message, null, false, false);
    this.key = key;
  }

  public String key() {
    return key;
  }
}
