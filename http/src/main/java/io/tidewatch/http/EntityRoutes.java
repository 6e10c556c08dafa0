package io.tidewatch.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidewatch.http.auth.Access;
import io.tidewatch.http.auth.Role;
import io.tidewatch.persistence.readside.AlertCursor;
import io.tidewatch.persistence.readside.ReadSide;
import io.tidewatch.persistence.readside.WindowCursor;
import io.tidewatch.persistence.readside.WindowFilter;
import io.tidewatch.persistence.window.WindowSpec;
import io.tidewatch.protocol.AlertView;
import io.tidewatch.protocol.IncidentView;
import io.tidewatch.protocol.EntityProtocol.GetState;
import io.tidewatch.protocol.EntityStateView;
import io.tidewatch.protocol.WindowView;
import io.tidewatch.sharding.Futures;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Per-entity queries under {@code /api/v1/entities/{type}/{id}} (DESIGN §4), for readers: the state asks the entity
 * through sharding; closed windows and alerts come from the read side's tables, paged in their clustering order,
 * without asking the entity or reading its journal. An id the entity index never listed is 404 and wakes nothing.
 */
final class EntityRoutes extends AllDirectives {

  private final EntityLookup lookup;
  private final Access access;
  private final ReadSide readSide;
  private final Duration askTimeout;
  private final ObjectMapper mapper;

  EntityRoutes(EntityLookup lookup, Access access, ReadSide readSide, Duration askTimeout, ObjectMapper mapper) {
    this.lookup = lookup;
    this.access = access;
    this.readSide = readSide;
    this.askTimeout = askTimeout;
    this.mapper = mapper;
  }

  public Route routes() {
    return pathPrefix(segment("entities").slash(segment()).slash(segment()), (type, id) ->
        concat(
            pathEnd(() -> get(() -> access.require(Role.READER, () -> json(state(type, id))))),
            path("windows", () -> get(() -> access.require(Role.READER, () ->
                parameterMap(p -> json(windows(type, id, new QueryParams(p))))))),
            path("alerts", () -> get(() -> access.require(Role.READER, () ->
                parameterMap(p -> json(alerts(type, id, new QueryParams(p))))))),
            path("incidents", () -> get(() -> access.require(Role.READER, () ->
                parameterMap(p -> json(incidents(type, id, new QueryParams(p)))))))));
  }

  private <T> Route json(CompletionStage<T> answer) {
    return onSuccess(answer, value -> completeOK(value, Jackson.marshaller(mapper)));
  }

  private CompletionStage<EntityStateView> state(String type, String id) {
    return lookup.known(type, id).thenCompose(entity -> Futures.plain(entity.ask(GetState::new, askTimeout)));
  }

  private CompletionStage<Page<WindowView>> windows(String type, String id, QueryParams params) {
    lookup.config(type);
    EntityLookup.requireId(id);
    String spec = params.name("spec");
    if (spec != null && lookup.config(type).windows().stream().map(WindowSpec::id).noneMatch(spec::equals)) {
      throw ProblemException.badRequest(
          "unknown spec " + spec + " for " + type + "; known: "
              + lookup.config(type).windows().stream().map(WindowSpec::id).toList());
    }
    WindowFilter filter = new WindowFilter(spec, params.name("metric"), params.time("from"), params.time("to"));
    requireOrdered(filter.from(), filter.to());
    WindowCursor after = params.position("cursor", WindowCursor::parse);
    int limit = params.limit();
    return page(type, id, readSide.windows(type, id, filter, after, limit + 1), limit, w -> WindowCursor.of(w).toString());
  }

  private CompletionStage<Page<AlertView>> alerts(String type, String id, QueryParams params) {
    lookup.config(type);
    EntityLookup.requireId(id);
    Long from = params.time("from");
    Long to = params.time("to");
    requireOrdered(from, to);
    AlertCursor after = params.position("cursor", AlertCursor::parse);
    int limit = params.limit();
    return page(type, id, readSide.entityAlerts(type, id, from, to, after, limit + 1), limit,
        a -> new AlertCursor(a.ts(), a.alertId()).toString());
  }

  /** The entity's incidents, newest first; {@code state} open or resolved (all without it). */
  private CompletionStage<Page<IncidentView>> incidents(String type, String id, QueryParams params) {
    lookup.config(type);
    EntityLookup.requireId(id);
    String state = params.oneOf("state", List.of(IncidentView.OPEN, IncidentView.RESOLVED), null);
    String after = params.position("cursor", raw -> {
      if (!raw.startsWith(id + ":") || !raw.substring(id.length() + 1).matches("[0-9]{1,18}")) {
        throw new IllegalArgumentException("not an incident of " + id);
      }
      return raw;
    });
    int limit = params.limit();
    return page(type, id, readSide.entityIncidents(type, id, state, after, limit + 1), limit, IncidentView::incidentId);
  }

  /**
   * A page of {@code limit} from {@code items} (which holds one more if there is a next page); an empty one is 404
   * if the entity was never listed.
   */
  private <T> CompletionStage<Page<T>> page(
      String type, String id, CompletionStage<List<T>> items, int limit, Function<T, String> position) {
    return items.thenCompose(found -> {
      if (found.size() > limit) {
        return CompletableFuture.completedFuture(new Page<>(found.subList(0, limit), position.apply(found.get(limit - 1))));
      }
      if (!found.isEmpty()) {
        return CompletableFuture.completedFuture(new Page<>(found, null));
      }
      return lookup.known(type, id).thenApply(known -> new Page<T>(List.of(), null));
    });
  }

  private static void requireOrdered(Long from, Long to) {
    if (from != null && to != null && from > to) {
      throw ProblemException.badRequest("from must not be after to");
    }
  }
}
