package io.tidewatch.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidewatch.http.auth.Access;
import io.tidewatch.http.auth.ApiTokens;
import io.tidewatch.http.ingest.ReadingsPublisher;
import io.tidewatch.http.notify.FailedNotifications;
import io.tidewatch.persistence.query.EntityJournal;
import io.tidewatch.persistence.readside.ReadSide;
import io.tidewatch.persistence.state.EntityTypes;
import io.tidewatch.sharding.TypeConfigSync;
import io.tidewatch.protocol.ReadingParser;
import java.time.Clock;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;

/**
 * All routes of the API under {@code /api/v1} (DESIGN §4), each behind its role, with failures and rejections
 * mapped to problem responses in one place.
 */
public final class ApiRoutes extends AllDirectives {

  /** What the routes stand on besides the actor system: the node wires the real ones. */
  public record Backends(EntityTypes types, ApiTokens tokens, ReadSide readSide, ReadingsPublisher publisher,
      ReadingParser parser, Supplier<String> metricsScrape, FailedNotifications failedNotifications,
      TypeConfigSync typeConfigs) {}

  private final ProblemResponses problems;
  private final HttpMetrics metrics;
  private final Route api;

  public ApiRoutes(ActorSystem<?> system, Backends backends, HttpSettings settings) {
    ObjectMapper mapper =
        JacksonObjectMapperProvider.get(system.classicSystem()).getOrCreate("jackson-json", Optional.empty());
    this.problems = new ProblemResponses(mapper);
    this.metrics = new HttpMetrics(backends.metricsScrape());
    EntityLookup lookup = new EntityLookup(system, backends.types(), backends.readSide());
    Access access = new Access(backends.tokens());
    EntityJournal journal = EntityJournal.create(system);
    Clock clock = Clock.systemUTC();
    Route entities = new EntityRoutes(lookup, access, backends.readSide(), settings.askTimeout(), mapper).routes();
    Route audit = new AuditRoutes(system, lookup, backends.typeConfigs().live(), access, journal, mapper).routes();
    Route readSide = new ReadSideRoutes(lookup, access, backends.readSide(), mapper, clock).routes();
    Route readings =
        new ReadingsRoutes(access, backends.parser(), backends.publisher(), mapper, settings.maxBodyBytes()).routes();
    Route live = new LiveRoutes(lookup, access, backends.readSide(), mapper, settings, clock).routes();
    Route cluster = new ClusterRoutes(system, access, backends.types(), mapper, settings.askTimeout()).routes();
    Route openApi = OpenApiRoute.routes();
    Route token = new TokenRoutes(access, mapper).routes();
    Route notifications = new NotificationRoutes(access, backends.failedNotifications(), mapper).routes();
    Route silences = new SilenceRoutes(system, access, mapper, settings.askTimeout(), clock).routes();
    Route pipelines =
        new PipelineRoutes(access, backends.typeConfigs().live(), backends.parser(), mapper, settings.maxBodyBytes())
            .routes();
    Route typeConfigs =
        new TypeRoutes(access, backends.types(), backends.typeConfigs(), mapper, settings.maxBodyBytes()).routes();
    this.api = pathPrefix("api", () -> pathPrefix("v1", () ->
        concat(entities, audit, readSide, readings, live, cluster, notifications, silences, pipelines, typeConfigs, token,
            openApi)));
  }

  /** The API, {@code /metrics} and the dashboard, every request counted. */
  public Route routes() {
    return metrics.instrument(
        handleRejections(problems.rejectionHandler(), () -> handleExceptions(problems.exceptionHandler(), () ->
            concat(api, metrics.metricsRoute(), DashboardRoute.routes()))));
  }
}
