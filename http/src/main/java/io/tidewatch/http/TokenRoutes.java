package io.tidewatch.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidewatch.http.auth.Access;
import io.tidewatch.http.auth.Role;
import java.util.List;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /api/v1/token}: the roles of the presented token, so a client (the dashboard) learns which of its
 * tokens to use for which route without trying each one against each route.
 */
final class TokenRoutes extends AllDirectives {

  record TokenRoles(List<String> roles) {}

  private final Access access;
  private final ObjectMapper mapper;

  TokenRoutes(Access access, ObjectMapper mapper) {
    this.access = access;
    this.mapper = mapper;
  }

  Route routes() {
    return path("token", () -> get(() -> access.known(roles -> complete(
        StatusCodes.OK, new TokenRoles(roles.stream().map(Role::id).sorted().toList()), Jackson.marshaller(mapper)))));
  }
}
