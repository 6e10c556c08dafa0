package io.tidewatch.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.headers.RetryAfter;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become HTTP answers: every error body is {@code application/problem+json}
 * (RFC 9457). Rejections (no such route, wrong method, malformed parameter) keep Pekko's status and text as the
 * detail; an entity that does not answer in time is 503 with Retry-After; anything unexpected is logged and 500.
 */
public final class ProblemResponses {

  private static final Logger log = LoggerFactory.getLogger(ProblemResponses.class);
  public static final ContentType PROBLEM_JSON =
      MediaTypes.applicationWithFixedCharset("problem+json", HttpCharsets.UTF_8)
          .toContentType();
  private static final long RETRY_AFTER_SECONDS = 1;

  private final ObjectMapper mapper;

  public ProblemResponses(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  public HttpResponse response(Problem problem) {
    return HttpResponse.create().withStatus(problem.status()).withEntity(entity(problem));
  }

  public ExceptionHandler exceptionHandler() {
    return ExceptionHandler.newBuilder()
        .matchAny(failure -> {
          ProblemException problem = asProblem(unwrap(failure));
          HttpResponse response = response(problem.toProblem());
          if (problem.status() == 401) {
            response = response.addHeader(HttpHeader.parse("WWW-Authenticate", "Bearer realm=\"tidewatch\""));
          } else if (problem.status() == 503) {
            response = response.addHeader(RetryAfter.create(RETRY_AFTER_SECONDS));
          }
          return complete(response);
        })
        .build();
  }

  /** The problem a failure stands for; anything unexpected is logged and becomes a 500. */
  private static ProblemException asProblem(Throwable cause) {
    if (cause instanceof ProblemException problem) {
      return problem;
    }
    if (cause instanceof EntityStreamSizeException tooLarge) {
      return ProblemException.tooLarge(
          "the body is larger than this node accepts (" + tooLarge.limit() + " bytes); send it in parts");
    }
    if (cause instanceof TimeoutException) {
      return ProblemException.unavailable("the entity or the cluster did not answer in time; retry shortly");
    }
    log.error("Unexpected failure in a route", cause);
    return new ProblemException(500, "Internal Server Error", "unexpected error; see the node's log");
  }

  /** Pekko's default rejection handling, with the body turned into a problem document. */
  public RejectionHandler rejectionHandler() {
    return RejectionHandler.defaultHandler()
        .mapRejectionResponse(response -> {
          if (response.entity() instanceof HttpEntity.Strict strict
              && !strict.getContentType().equals(PROBLEM_JSON)) {
            String detail = strict.getData().utf8String();
            int status = response.status().intValue();
            return response.withEntity(entity(Problem.of(status, response.status().reason(), detail)));
          }
          return response;
        });
  }

  private HttpEntity.Strict entity(Problem problem) {
    try {
      return HttpEntities.create(PROBLEM_JSON, mapper.writeValueAsBytes(problem));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a Problem record always serializes", e);
    }
  }

  private static Throwable unwrap(Throwable failure) {
    Throwable t = failure;
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static Route complete(HttpResponse response) {
    return Directives.complete(response);
  }
}
