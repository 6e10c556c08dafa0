package io.tidewatch.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidewatch.persistence.query.EntityJournal;
import io.tidewatch.persistence.state.EntityTypes;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;

/** All routes of the API, with failures and rejections mapped to problem responses in one place. */
public final class ApiRoutes extends AllDirectives {

  private final EntityRoutes entities;
  private final ProblemResponses problems;

  public ApiRoutes(ActorSystem<?> system, EntityTypes types, HttpSettings settings) {
    ObjectMapper mapper =
        JacksonObjectMapperProvider.get(system.classicSystem()).getOrCreate("jackson-json", Optional.empty());
    this.entities = new EntityRoutes(system, types, EntityJournal.create(system), settings.askTimeout(), mapper);
    this.problems = new ProblemResponses(mapper);
  }

  public Route routes() {
    return handleRejections(problems.rejectionHandler(), () ->
        handleExceptions(problems.exceptionHandler(), entities::routes));
  }
}
