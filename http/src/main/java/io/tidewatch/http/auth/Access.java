package io.tidewatch.http.auth;

import io.tidewatch.http.ProblemException;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The role check every route goes through: a bearer token in {@code Authorization}, known (else 401) and holding
 * the route's role (else 403); {@link #known} for the one route any known token may call.
 */
public final class Access extends AllDirectives {

  private static final String BEARER = "Bearer ";

  private final ApiTokens tokens;

  public Access(ApiTokens tokens) {
    this.tokens = tokens;
  }

  public Route require(Role role, Supplier<Route> inner) {
    return optionalHeaderValueByName("Authorization", header -> {
      check(role, header);
      return inner.get();
    });
  }

  /** The route gets the roles of the presented token; 401 without a known one. */
  public Route known(Function<Set<Role>, Route> inner) {
    return optionalHeaderValueByName("Authorization", header -> inner.apply(rolesOf(header)));
  }

  private void check(Role role, Optional<String> header) {
    Set<Role> roles = rolesOf(header);
    if (!roles.contains(role)) {
      throw ProblemException.forbidden("this route needs the role '" + role.id() + "'; the token has " + roles.stream().map(Role::id).sorted().toList());
    }
  }

  private Set<Role> rolesOf(Optional<String> header) {
    String token =
        header
            .filter(h -> h.regionMatches(true, 0, BEARER, 0, BEARER.length()))
            .map(h -> h.substring(BEARER.length()).trim())
            .orElseThrow(() -> ProblemException.unauthorized("send a bearer token: Authorization: Bearer <token>"));
    Set<Role> roles = tokens.rolesOf(token);
    if (roles.isEmpty()) {
      throw ProblemException.unauthorized("the bearer token is not known to this node");
    }
    return roles;
  }
}
