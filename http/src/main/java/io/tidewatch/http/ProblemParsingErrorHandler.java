package io.tidewatch.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.ParsingErrorHandler;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.scaladsl.model.ErrorInfo;
import org.apache.pekko.http.scaladsl.model.StatusCode;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;

/**
 * Requests too malformed to reach the routes (a URI over the length limit, broken headers) are answered by the
 * HTTP server itself; this makes those answers problem documents like every other error
 * ({@code pekko.http.server.parsing.error-handler}).
 */
public final class ProblemParsingErrorHandler extends ParsingErrorHandler {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public HttpResponse handle(StatusCode status, ErrorInfo error, LoggingAdapter log, ServerSettings settings) {
    log.debug("Refused a request the server could not parse: {}", error.summary());
    Problem problem = Problem.of(status.intValue(), status.reason(), error.summary());
    try {
      return HttpResponse.create()
          .withStatus(status.intValue())
          .withEntity(HttpEntities.create(ProblemResponses.PROBLEM_JSON, JSON.writeValueAsBytes(problem)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a Problem record always serializes", e);
    }
  }
}
