package io.tidewatch.node.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A small client of one node's HTTP API (DESIGN §4) for the command line: bearer token on every request, JSON
 * answers as trees, NDJSON answers as a lazy stream of lines, and every failure as an {@link ApiException}.
 * Paths are relative to {@code /api/v1}.
 */
public final class ApiClient {

  private static final String PREFIX = "/api/v1";
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  private static final String JSON = "application/json, application/problem+json";
  private static final String NDJSON = "application/x-ndjson, application/problem+json";

  private final String root;
  private final String token;
  private final HttpClient http;
  private final ObjectMapper mapper = new ObjectMapper();

  public ApiClient(URI base, String token) {
    String url = base.toString();
    this.root = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    this.token = token;
    // HTTP/1.1: the client's default would first try an h2c upgrade, which the node does not speak.
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT).build();
  }

  public JsonNode get(String path) {
    HttpResponse<String> response = send(request(path, JSON).GET(), BodyHandlers.ofString());
    return parse(checked(response.statusCode(), response.body()));
  }

  /** A POST without a body, as the cluster actions take it. */
  public JsonNode post(String path) {
    HttpResponse<String> response =
        send(request(path, JSON).POST(HttpRequest.BodyPublishers.noBody()), BodyHandlers.ofString());
    return parse(checked(response.statusCode(), response.body()));
  }

  /** A PUT of a JSON body, as a change of a type's rules or pipeline takes it. */
  public JsonNode put(String path, String json) {
    HttpResponse<String> response = send(
        request(path, JSON).header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(json)),
        BodyHandlers.ofString());
    return parse(checked(response.statusCode(), response.body()));
  }

  /**
   * The lines of an NDJSON answer, read as the caller consumes them, so a long journal never sits in memory.
   * Close the stream to release the connection; a connection lost midway surfaces as an UncheckedIOException.
   */
  public Stream<String> lines(String path) {
    HttpResponse<Stream<String>> response = send(request(path, NDJSON).GET(), BodyHandlers.ofLines());
    if (response.statusCode() / 100 != 2) {
      String body;
      try (Stream<String> lines = response.body()) {
        body = lines.collect(Collectors.joining("\n"));
      }
      throw failure(response.statusCode(), body);
    }
    return response.body();
  }

  /** One JSON document, e.g. a line of an NDJSON answer. */
  public JsonNode parse(String json) {
    try {
      return mapper.readTree(json);
    } catch (JsonProcessingException e) {
      throw new ApiException("the node at " + root + " answered something that is not JSON: " + snippet(json), e);
    }
  }

  /** A path segment, percent-encoded: member addresses such as pekko://tidewatch@host:25520 contain slashes. */
  public static String segment(String value) {
    // URLEncoder encodes for forms; in a path a space is %20, and '+' would be taken literally.
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private HttpRequest.Builder request(String path, String accept) {
    return HttpRequest.newBuilder(URI.create(root + PREFIX + path))
        .header("Authorization", "Bearer " + token)
        .header("Accept", accept);
  }

  private <T> HttpResponse<T> send(HttpRequest.Builder request, BodyHandler<T> body) {
    try {
      return http.send(request.build(), body);
    } catch (HttpConnectTimeoutException e) {
      throw unreachable("no connection within " + CONNECT_TIMEOUT.toSeconds() + " s", e);
    } catch (ConnectException e) {
      throw unreachable(unknownHost(e) ? "unknown host" : "connection refused", e);
    } catch (IOException e) {
      throw new ApiException("the request to " + root + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiException("interrupted while waiting for " + root, e);
    }
  }

  private ApiException unreachable(String why, Exception cause) {
    return new ApiException(
        "the node at " + root + " cannot be reached (" + why + "); is it running, and is --url (or TIDEWATCH_URL) "
            + "right?",
        cause);
  }

  // The client wraps the channel's failure, sometimes twice, so look down the whole chain.
  private static boolean unknownHost(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof UnresolvedAddressException) {
        return true;
      }
    }
    return false;
  }

  private String checked(int status, String body) {
    if (status / 100 != 2) {
      throw failure(status, body);
    }
    return body;
  }

  /** Every API error is application/problem+json (DESIGN §4); anything else in front of the node may not be. */
  private ApiException failure(int status, String body) {
    String detail = null;
    try {
      JsonNode problem = mapper.readTree(body);
      detail = problem.path("detail").asText(problem.path("title").asText(null));
    } catch (JsonProcessingException notJson) {
      // not a problem document: the body itself is the best detail there is
    }
    if (detail == null || detail.isBlank()) {
      detail = body.isBlank() ? "no detail given" : snippet(body);
    }
    String hint =
        status == 401 ? "; check --token or TIDEWATCH_TOKEN (the demo's tokens are in .tidewatch/tokens)" : "";
    return new ApiException(status, detail + " (HTTP " + status + ")" + hint);
  }

  private static String snippet(String text) {
    String line = text.strip().replaceAll("\\s+", " ");
    return line.length() > 200 ? line.substring(0, 200) + "…" : line;
  }
}
