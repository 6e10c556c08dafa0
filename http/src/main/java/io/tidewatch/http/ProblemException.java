package io.tidewatch.http;

/** Thrown by route helpers for an answer that is an error (bad parameter, unknown entity); mapped in one place. */
public final class ProblemException extends RuntimeException {

  private final int status;
  private final String title;

  public ProblemException(int status, String title, String detail) {
    super(detail, null, false, false);
    this.status = status;
    this.title = title;
  }

  public static ProblemException badRequest(String detail) {
    return new ProblemException(400, "Bad Request", detail);
  }

  public static ProblemException notFound(String detail) {
    return new ProblemException(404, "Not Found", detail);
  }

  public static ProblemException unauthorized(String detail) {
    return new ProblemException(401, "Unauthorized", detail);
  }

  public static ProblemException forbidden(String detail) {
    return new ProblemException(403, "Forbidden", detail);
  }

  public static ProblemException tooLarge(String detail) {
    return new ProblemException(413, "Content Too Large", detail);
  }

  public static ProblemException unavailable(String detail) {
    return new ProblemException(503, "Service Unavailable", detail);
  }

  public int status() {
    return status;
  }

  public Problem toProblem() {
    return Problem.of(status, title, getMessage());
  }
}
