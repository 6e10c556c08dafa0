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
import io.tidewatch.sharding.Futures;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.http.javadsl.marshalling.sse.EventStreamMarshalling;
import org.apache.pekko.http.javadsl.model.sse.ServerSentEvent;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.javadsl.Source;

/**
 * Live views as Server-Sent Events, for readers: new alerts of all entities (from the read side) and the state of
 * one entity each time it changes. Both poll on the node that serves the stream, so they work from any node of the
 * cluster, send a heartbeat comment when quiet, and resume after {@code Last-Event-ID}.
 */
final class LiveRoutes extends AllDirectives {

  /** Alerts fetched per poll at most; a burst larger than this streams over the following polls. */
  static final int ALERTS_PER_POLL = 500;

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
        path(segment("entities").slash(segment()).slash(segment()), (type, id) -> get(() ->
            access.require(Role.READER, () ->
                optionalHeaderValueByName("Last-Event-ID", last -> entity(type, id, last)))))));
  }

  private Route sse(Source<ServerSentEvent, NotUsed> events) {
    return completeOK(
        events.keepAlive(settings.heartbeat(), ServerSentEvent::heartbeat), EventStreamMarshalling.toEventStream());
  }

  /**
   * New alerts, oldest first. Alerts reach the read side a little out of detection order (detected before their
   * journal write, written after it, by many entities at once; a retried batch later still), so every poll looks
   * back {@code alert-lookback} and skips the ids it already sent.
   */
  private Source<ServerSentEvent, NotUsed> alerts(Optional<String> lastEventId) {
    AlertCursor resumeAfter =
        lastEventId.map(ReadSideRoutes::alertCursor).orElse(new AlertCursor(clock.millis(), ""));
    long lookbackMs = settings.alertLookback().toMillis();
    return ticks()
        .scanAsync(new AlertFeed(resumeAfter), (feed, tick) ->
            readSide
                .alertsAfter(feed.lookFrom(lookbackMs), ALERTS_PER_POLL)
                .thenApply(found -> feed.next(found, lookbackMs))
                .exceptionally(failure -> feed.nothingNew())) // Cassandra busy: try again at the next tick
        .mapConcat(AlertFeed::fresh)
        .map(alert -> ServerSentEvent.create(json(alert), "alert",
            new AlertCursor(alert.detectedAt(), alert.alertId()).toString()));
  }

  /**
   * What the feed has sent recently (by id, with detection time), what the last poll found that is new, and where
   * the next poll continues when the last one came back full (a burst larger than a page).
   */
  private record AlertFeed(
      AlertCursor resumeAfter, Map<String, Long> sent, List<AlertView> fresh, AlertCursor continueAfter) {

    AlertFeed(AlertCursor resumeAfter) {
      this(resumeAfter, new HashMap<>(), List.of(), null);
    }

    AlertCursor lookFrom(long lookbackMs) {
      if (continueAfter != null) {
        return continueAfter;
      }
      long newestSent = sent.values().stream().mapToLong(Long::longValue).max().orElse(resumeAfter.time());
      return new AlertCursor(Math.max(0, Math.max(newestSent, resumeAfter.time()) - lookbackMs), "");
    }

    AlertFeed nothingNew() {
      return new AlertFeed(resumeAfter, sent, List.of(), continueAfter);
    }

    AlertFeed next(List<AlertView> found, long lookbackMs) {
      Map<String, Long> stillRecent = new HashMap<>(sent);
      List<AlertView> fresh = new ArrayList<>();
      for (AlertView alert : found) {
        boolean resumedPast = new AlertCursor(alert.detectedAt(), alert.alertId()).compareTo(resumeAfter) <= 0;
        if (!resumedPast && stillRecent.putIfAbsent(alert.alertId(), alert.detectedAt()) == null) {
          fresh.add(alert);
        }
      }
      long newest = stillRecent.values().stream().mapToLong(Long::longValue).max().orElse(Long.MIN_VALUE);
      stillRecent.values().removeIf(detectedAt -> detectedAt < newest - 2 * lookbackMs);
      AlertView last = found.isEmpty() ? null : found.get(found.size() - 1);
      AlertCursor more =
          found.size() < ALERTS_PER_POLL ? null : new AlertCursor(last.detectedAt(), last.alertId());
      return new AlertFeed(resumeAfter, stillRecent, fresh, more);
    }
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
