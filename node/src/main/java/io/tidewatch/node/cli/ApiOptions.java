package io.tidewatch.node.cli;

import java.net.URI;
import java.net.URISyntaxException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code --url} and {@code --token} for commands that talk to a node's HTTP API; mix in with {@code @Mixin}. */
public final class ApiOptions {

  @Spec(Spec.Target.MIXEE)
  CommandSpec mixee;

  @Option(
      names = "--url",
      paramLabel = "URL",
      defaultValue = "${env:TIDEWATCH_URL:-http://127.0.0.1:8080}",
      description = "The node's HTTP address (default: TIDEWATCH_URL, else http://127.0.0.1:8080).")
  String url;

  // No ${DEFAULT-VALUE} in the description: --help would print the token.
  @Option(
      names = "--token",
      paramLabel = "TOKEN",
      defaultValue = "${env:TIDEWATCH_TOKEN}",
      description = "Bearer token (default: TIDEWATCH_TOKEN, the safer way: arguments show in ps). "
          + "The demo writes its tokens to .tidewatch/tokens.")
  String token;

  /** A client for the node; a missing token or a malformed URL is a usage error (exit code 2). */
  public ApiClient client() {
    if (token == null || token.isBlank()) {
      throw usage("no API token: set TIDEWATCH_TOKEN or pass --token. The demo writes one token per role to "
          + ".tidewatch/tokens (lines token=role); replay needs an auditor token, cluster an operator token.");
    }
    return new ApiClient(base(), token.strip());
  }

  private URI base() {
    try {
      URI base = new URI(url.strip());
      if (("http".equalsIgnoreCase(base.getScheme()) || "https".equalsIgnoreCase(base.getScheme()))
          && base.getHost() != null
          && base.getQuery() == null
          && base.getFragment() == null) {
        return base;
      }
    } catch (URISyntaxException e) {
      // reported below, with the form that is expected
    }
    throw usage("--url must be an http or https address such as http://127.0.0.1:8080, got '" + url + "'");
  }

  private ParameterException usage(String message) {
    return new ParameterException(mixee.commandLine(), message);
  }
}
