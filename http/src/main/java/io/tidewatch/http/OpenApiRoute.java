package io.tidewatch.http;

import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;

/** {@code GET /api/v1/openapi.json}: the OpenAPI 3 document of the whole API, shipped in the jar, open to all. */
final class OpenApiRoute {

  static final String RESOURCE = "openapi.json";

  private OpenApiRoute() {}

  static Route routes() {
    return Directives.path("openapi.json", () -> Directives.get(() ->
        Directives.getFromResource(RESOURCE, ContentTypes.APPLICATION_JSON)));
  }
}
