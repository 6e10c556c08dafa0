package io.tidewatch.node.cli;

/**
 * A call to the Tidewatch API that did not succeed. The message is meant to be printed as it is: the problem's
 * {@code detail} and the HTTP status, or why the node could not be reached.
 */
public final class ApiException extends RuntimeException {

  private final int status;

  public ApiException(int status, String message) {
    super(message);
    this.status = status;
  }

  public ApiException(String message, Throwable cause) {
    super(message, cause);
    this.status = 0;
  }

  /** The HTTP status of the answer, or 0 when there was none. */
  public int status() {
    return status;
  }
}
