package io.tidewatch.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidewatch.http.auth.Access;
import io.tidewatch.http.auth.Role;
import io.tidewatch.persistence.readside.AlertCursor;
import io.tidewatch.persistence.readside.ReadSide;
import io.tidewatch.protocol.AlertView;
import io.tidewatch.protocol.IncidentView;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Views across entities, for readers (DESIGN §4), answered from the read side rather than by asking entities:
 * the ids of one type in id order, the alerts of all entities newest first, and the incidents that are open.
 */
final class ReadSideRoutes extends AllDirectives {

  /** Without {@code since}, recent means this long ago or later. */
  static final Duration DEFAULT_SINCE = Duration.ofHours(24);

  private final EntityLookup lookup;
  private final Access access;
  private final ReadSide readSide;
  private final ObjectMapper mapper;
  private final Clock clock;

  ReadSideRoutes(EntityLookup lookup, Access access, ReadSide readSide, ObjectMapper mapper, Clock clock) {
    this.lookup = lookup;
    this.access = access;
    this.readSide = readSide;
    this.mapper = mapper;
    this.clock = clock;
  }

  Route routes() {
    return concat(
        path(segment("entities").slash(segment()), type -> get(() -> access.require(Role.READER, () ->
            parameterMap(p -> json(entityIds(type, new QueryParams(p))))))),
        path("alerts", () -> get(() -> access.require(Role.READER, () ->
            parameterMap(p -> json(recentAlerts(new QueryParams(p))))))),
        path("incidents", () -> get(() -> access.require(Role.READER, () ->
            parameterMap(p -> json(openIncidents(new QueryParams(p))))))));
  }

  private <T> Route json(CompletionStage<T> answer) {
    return onSuccess(answer, value -> completeOK(value, Jackson.marshaller(mapper)));
  }

  private CompletionStage<Page<String>> entityIds(String type, QueryParams params) {
    lookup.config(type);
    String after = params.raw("after");
    if (after != null) {
      EntityLookup.requireId(after);
    }
    int limit = params.limit();
    return readSide
        .entityIds(type, after, limit + 1)
        .thenApply(ids -> ids.size() > limit
            ? new Page<>(ids.subList(0, limit), ids.get(limit - 1))
            : new Page<>(ids, null));
  }

  private CompletionStage<Page<AlertView>> recentAlerts(QueryParams params) {
    Long since = params.time("since");
    int limit = params.limit();
    AlertCursor before = alertCursor(params.raw("cursor"));
    long sinceMs = since != null ? since : clock.millis() - DEFAULT_SINCE.toMillis();
    return readSide
        .recentAlerts(sinceMs, before, limit + 1)
        .thenApply(alerts -> {
          if (alerts.size() <= limit) {
            return new Page<>(alerts, null);
          }
          List<AlertView> page = alerts.subList(0, limit);
          AlertView last = page.get(limit - 1);
          return new Page<>(page, new AlertCursor(last.detectedAt(), last.alertId()).toString());
        });
  }

  /**
   * The open incidents of all entities, newest opening first. Only {@code state=open} across entities: resolved
   * ones are listed per entity ({@code /entities/{type}/{id}/incidents}).
   */
  private CompletionStage<Page<IncidentView>> openIncidents(QueryParams params) {
    params.oneOf("state", List.of(IncidentView.OPEN), IncidentView.OPEN);
    int limit = params.limit();
    AlertCursor after = params.position("cursor", AlertCursor::parse);
    return readSide
        .openIncidents(after, limit + 1)
        .thenApply(incidents -> {
          if (incidents.size() <= limit) {
            return new Page<>(incidents, null);
          }
          IncidentView last = incidents.get(limit - 1);
          return new Page<>(incidents.subList(0, limit), new AlertCursor(last.openedAt(), last.incidentId()).toString());
        });
  }

  /** A cursor from a previous page's {@code next}, or an SSE {@code Last-Event-ID}; null when absent. */
  static AlertCursor alertCursor(String raw) {
    if (raw == null) {
      return null;
    }
    try {
      return AlertCursor.parse(raw);
    } catch (IllegalArgumentException e) {
      throw ProblemException.badRequest(
          "cursor must be the next value of a previous page or an alert event id (<detectedAt>.<alertId>)");
    }
  }
}
