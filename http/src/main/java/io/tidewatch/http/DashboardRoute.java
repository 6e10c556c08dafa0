package io.tidewatch.http;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The live dashboard at {@code /}: static files shipped in the jar (no CDN, no build step), which call only the
 * public API with the tokens the user enters. Its chart library, Apache ECharts, comes from its WebJar on the class
 * path and is served at {@code /vendor/echarts.min.js}, compressed for browsers that accept it.
 */
final class DashboardRoute {

  /** Where the WebJar keeps the library's single-file build, for the version the build put on the class path. */
  private static final String ECHARTS =
      "META-INF/resources/webjars/echarts/" + webJarVersion("echarts") + "/dist/echarts.min.js";

  private DashboardRoute() {}

  static Route routes() {
    return Directives.get(() -> Directives.concat(
        Directives.pathSingleSlash(() -> Directives.getFromResource("dashboard/index.html")),
        Directives.path("index.html", () -> Directives.getFromResource("dashboard/index.html")),
        Directives.path("app.js", () -> Directives.getFromResource("dashboard/app.js")),
        Directives.path("charts.js", () -> Directives.getFromResource("dashboard/charts.js")),
        Directives.path("app.css", () -> Directives.getFromResource("dashboard/app.css")),
        Directives.path(PathMatchers.segment("vendor").slash("echarts.min.js"), () ->
            Directives.encodeResponse(() -> Directives.getFromResource(ECHARTS)))));
  }

  /** The version of an npm WebJar, from the Maven metadata in its jar: the root pom names it once. */
  private static String webJarVersion(String artifact) {
    String resource = "META-INF/maven/org.webjars.npm/" + artifact + "/pom.properties";
    try (InputStream in = DashboardRoute.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("the dashboard needs the WebJar org.webjars.npm:" + artifact + " on the class path");
      }
      Properties properties = new Properties();
      properties.load(in);
      return properties.getProperty("version");
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + resource, e);
    }
  }
}
