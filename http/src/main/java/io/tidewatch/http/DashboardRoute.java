package io.tidewatch.http;

import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The live dashboard at {@code /}: static files shipped in the jar (no CDN, no build step), which call only the
 * public API with the tokens the user enters.
 */
final class DashboardRoute {

  private DashboardRoute() {}

  static Route routes() {
    return Directives.get(() -> Directives.concat(
        Directives.pathSingleSlash(() -> Directives.getFromResource("dashboard/index.html")),
        Directives.path("index.html", () -> Directives.getFromResource("dashboard/index.html")),
        Directives.path("app.js", () -> Directives.getFromResource("dashboard/app.js")),
        Directives.path("app.css", () -> Directives.getFromResource("dashboard/app.css"))));
  }
}
