package io.tidewatch.deploy;

/**
 * A local broker could not be started or prepared. The message always says what went wrong in words a person
 * can act on (which port is taken, which command builds the missing runtime, the end of the child's log).
 */
public final class LaunchException extends RuntimeException {

  public LaunchException(String message) {
    super(message);
  }

  public LaunchException(String message, Throwable cause) {
    super(message, cause);
  }
}
