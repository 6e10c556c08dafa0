package io.tidewatch.http;

import com.fasterxml.jackson.annotation.JsonInclude;

/** An RFC 9457 problem detail: the body of every error the API returns, as {@code application/problem+json}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String instance) {

  public static Problem of(int status, String title, String detail) {
    return new Problem("about:blank", title, status, detail, null);
  }
}
