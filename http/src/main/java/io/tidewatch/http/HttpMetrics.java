package io.tidewatch.http;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * HTTP requests by route, method and status, and their latency, in Micrometer's global registry; and
 * {@code GET /metrics}, the Prometheus text of the node's registry, open to scrapers. Routes are named by their
 * template (ids left out) so that the number of series stays bounded.
 */
public final class HttpMetrics extends AllDirectives {

  static final ContentType PROMETHEUS_TEXT =
      MediaTypes.customWithFixedCharset("text", "plain", HttpCharsets.UTF_8, Map.of("version", "0.0.4"), false)
          .toContentType();

  private record Template(Pattern path, String name) {}

  private static final String SEGMENT = "[^/]+";
  private static final List<Template> TEMPLATES =
      List.of(
          template("/api/v1/entities/S/S", "/api/v1/entities/{type}/{id}"),
          template("/api/v1/entities/S/S/(windows|alerts|journal|state)", "/api/v1/entities/{type}/{id}/$1"),
          template("/api/v1/entities/S", "/api/v1/entities/{type}"),
          template("/api/v1/stream/entities/S/S", "/api/v1/stream/entities/{type}/{id}"),
          template("/api/v1/cluster/members/S/S", "/api/v1/cluster/members/{address}/{action}"),
          template("/api/v1/(alerts|readings|stream/alerts|cluster|cluster/shards|openapi.json)", "/api/v1/$1"),
          template("/metrics", "/metrics"),
          template("/(|index.html|app.js|app.css)", "/$1"));

  private final MeterRegistry registry = Metrics.globalRegistry;
  private final Supplier<String> scrape;

  /** @param scrape the Prometheus text of this node's metrics */
  public HttpMetrics(Supplier<String> scrape) {
    this.scrape = scrape;
  }

  private static Template template(String path, String name) {
    return new Template(Pattern.compile(path.replace("S", SEGMENT)), name);
  }

  /** The route template a path matches, or "other" (unknown paths must not each become a series). */
  static String routeOf(String path) {
    for (Template t : TEMPLATES) {
      var m = t.path().matcher(path);
      if (m.matches()) {
        return m.groupCount() > 0 ? t.name().replace("$1", m.group(1)) : t.name();
      }
    }
    return "other";
  }

  public Route metricsRoute() {
    return path("metrics", () -> get(() ->
        complete(HttpResponse.create().withEntity(HttpEntities.create(PROMETHEUS_TEXT, scrape.get().getBytes(StandardCharsets.UTF_8))))));
  }

  /** Counts and times every request answered by {@code inner}, errors included. */
  public Route instrument(Route inner) {
    return extractRequest(request -> {
      long started = System.nanoTime();
      String route = routeOf(request.getUri().path());
      String method = request.method().value();
      return mapResponse(response -> {
        Timer.builder("tidewatch.http.requests")
            .description("HTTP requests by route template, method and status")
            .tags("route", route, "method", method, "status", String.valueOf(response.status().intValue()))
            .register(registry)
            .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        return response;
      }, () -> inner);
    });
  }
}
