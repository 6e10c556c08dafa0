package io.tidewatch.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidewatch.persistence.state.EntityTypes;
import io.tidewatch.protocol.EntityProtocol.GetState;
import io.tidewatch.protocol.EntityStateView;
import io.tidewatch.sharding.TrackedEntity;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/** Per-entity queries under {@code /api/v1/entities} (DESIGN §4): each one asks the entity through sharding. */
public final class EntityRoutes extends AllDirectives {

  private static final Pattern ENTITY_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

  private final ClusterSharding sharding;
  private final EntityTypes types;
  private final Duration askTimeout;
  private final ObjectMapper mapper;

  public EntityRoutes(ActorSystem<?> system, EntityTypes types, Duration askTimeout, ObjectMapper mapper) {
    this.sharding = ClusterSharding.get(system);
    this.types = types;
    this.askTimeout = askTimeout;
    this.mapper = mapper;
  }

  public Route routes() {
    return pathPrefix(segment("api").slash("v1").slash("entities"), () ->
        path(segment().slash(segment()), (type, id) ->
            get(() -> onSuccess(state(type, id), view -> completeOK(view, Jackson.marshaller(mapper))))));
  }

  private CompletionStage<EntityStateView> state(String type, String id) {
    validate(type, id);
    return sharding
        .entityRefFor(TrackedEntity.typeKey(type), id)
        .ask(GetState::new, askTimeout)
        .thenApply(view -> {
          if (view.isUnknown()) {
            throw ProblemException.notFound("no " + type + " with id " + id + " has recorded anything");
          }
          return view;
        });
  }

  private void validate(String type, String id) {
    if (types.get(type).isEmpty()) {
      throw ProblemException.notFound("unknown entity type '" + type + "'; known types: " + types.names());
    }
    if (!ENTITY_ID.matcher(id).matches()) {
      throw ProblemException.badRequest("entity id must be 1-128 characters of [A-Za-z0-9._:-]");
    }
  }
}
