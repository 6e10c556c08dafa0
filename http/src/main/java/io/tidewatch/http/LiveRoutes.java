package io.tidewatch.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidewatch.http.auth.Access;
import io.tidewatch.http.auth.Role;
import io.tidewatch.persistence.readside.AlertCursor;
import io.tidewatch.persistence.readside.ReadSide;
import io.tidewatch.protocol.AlertView;
import io.tidewatch.protocol.EntityProtocol.Command;
import io.tidewatch.protocol.EntityProtocol.GetState;
import io.tidewatch.protocol.EntityStateView;
import io.tidewatch.protocol.IncidentTransition;
import io.tidewatch.sharding.Futures;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import org.apache.pekko.NotUsed;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.http.javadsl.marshalling.sse.EventStreamMarshalling;
import org.apache.pekko.http.javadsl.model.sse.ServerSentEvent;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.javadsl.Source;

/**
 * Live views as Server-Sent Events, for readers: new alerts and incident transitions of all entities (from the read
 * side) and the state of one entity each time it changes. Both poll on the node that serves the stream, so they work from any node of the
 * cluster, send a heartbeat comment when quiet, and resume after {@code Last-Event-ID}.
 */
final class LiveRoutes extends AllDirectives {

  /** Rows fetched per poll at most; a burst larger than this streams over the following polls. */
  static final int ROWS_PER_POLL = 500;

  private final EntityLookup lookup;
  private final Access access;
  private final ReadSide readSide;
  private final ObjectMapper mapper;
  private final HttpSettings settings;
  private final Clock clock;

  LiveRoutes(
      EntityLookup lookup, Access access, ReadSide readSide, ObjectMapper mapper, HttpSettings settings, Clock clock) {
    this.lookup = lookup;
    this.access = access;
    this.readSide = readSide;
    this.mapper = mapper;
    this.settings = settings;
    this.clock = clock;
  }

  Route routes() {
    return pathPrefix("stream", () -> concat(
        path("alerts", () -> get(() -> access.require(Role.READER, () ->
            optionalHeaderValueByName("Last-Event-ID", last -> sse(alerts(last)))))),
        path("incidents", () -> get(() -> access.require(Role.READER, () ->
            optionalHeaderValueByName("Last-Event-ID", last -> sse(incidents(last)))))),
        path(segment("entities").slash(segment()).slash(segment()), (type, id) -> get(() ->
            access.require(Role.READER, () ->
                optionalHeaderValueByName("Last-Event-ID", last -> entity(type, id, last)))))));
  }

  private Route sse(Source<ServerSentEvent, NotUsed> events) {
    return completeOK(
        events.keepAlive(settings.heartbeat(), ServerSentEvent::heartbeat), EventStreamMarshalling.toEventStream());
  }

  /** New alerts, oldest first, by detection time. */
  private Source<ServerSentEvent, NotUsed> alerts(Optional<String> lastEventId) {
    return feed(lastEventId, AlertView::detectedAt, AlertView::alertId, readSide::alertsAfter, "alert");
  }

  /** New incident transitions (opened, escalated, resolved), oldest first, by the time of the transition. */
  private Source<ServerSentEvent, NotUsed> incidents(Optional<String> lastEventId) {
    return feed(lastEventId, IncidentTransition::at, IncidentTransition::streamPosition,
        readSide::incidentTransitionsAfter, "incident");
  }

  /**
   * The one poll of a read-side table ordered by (time, id) as a stream of events named {@code event}, each with the
   * id {@code <time>.<id>}; every poll looks back {@code alert-lookback} for rows that arrived late ({@link LiveFeed}).
   */
  private <T> Source<ServerSentEvent, NotUsed> feed(
      Optional<String> lastEventId,
      ToLongFunction<T> time,
      Function<T, String> id,
      BiFunction<AlertCursor, Integer, CompletionStage<List<T>>> after,
      String event) {
    Function<T, AlertCursor> position = item -> new AlertCursor(time.applyAsLong(item), id.apply(item));
    AlertCursor resumeAfter =
        lastEventId.map(ReadSideRoutes::alertCursor).orElse(new AlertCursor(clock.millis(), ""));
    long lookbackMs = settings.alertLookback().toMillis();
    return ticks()
        .scanAsync(new LiveFeed<>(resumeAfter, position, ROWS_PER_POLL), (feed, tick) ->
            after.apply(feed.lookFrom(lookbackMs), ROWS_PER_POLL)
                .thenApply(found -> feed.next(found, lookbackMs))
                .exceptionally(failure -> feed.nothingNew())) // Cassandra busy: try again at the next tick
        .mapConcat(LiveFeed::fresh)
        .map(item -> ServerSentEvent.create(json(item), event, position.apply(item).toString()));
  }

  /** The entity's state now, then each time its last sequence number moves; the event id is that number. */
  private Route entity(String type, String id, Optional<String> lastEventId) {
    long seenSeqNr = lastEventId.map(LiveRoutes::seqNr).orElse(-1L);
    return onSuccess(lookup.known(type, id), entity -> onSuccess(state(entity), first -> {
      Source<EntityStateView, NotUsed> changes =
          Source.single(first)
              .concat(ticks().mapAsync(1, tick -> state(entity).exceptionally(failure -> null)))
              .filter(view -> view != null) // an entity busy moving or recovering: ask again at the next tick
              .statefulMapConcat(() -> {
                long[] last = {seenSeqNr};
                return view -> {
                  if (view.lastSeqNr() <= last[0]) {
                    return List.of();
                  }
                  last[0] = view.lastSeqNr();
                  return List.of(view);
                };
              });
      return sse(changes.map(view -> ServerSentEvent.create(json(view), "state", String.valueOf(view.lastSeqNr()))));
    }));
  }

  private CompletionStage<EntityStateView> state(EntityRef<Command> entity) {
    return Futures.plain(entity.ask(GetState::new, settings.askTimeout()));
  }

  private Source<Long, NotUsed> ticks() {
    return Source.tick(Duration.ZERO, settings.livePollInterval(), 0L).mapMaterializedValue(c -> NotUsed.notUsed());
  }

  private static long seqNr(String lastEventId) {
    try {
      return Long.parseLong(lastEventId.trim());
    } catch (NumberFormatException e) {
      throw ProblemException.badRequest("Last-Event-ID of an entity stream must be a sequence number");
    }
  }

  private String json(Object value) {
    try {
      return mapper.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("views are plain records and always serialize", e);
    }
  }
}
