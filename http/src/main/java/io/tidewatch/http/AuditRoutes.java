package io.tidewatch.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tidewatch.http.auth.Access;
import io.tidewatch.http.auth.Role;
import io.tidewatch.persistence.query.EntityJournal;
import io.tidewatch.persistence.state.EntityState;
import io.tidewatch.persistence.state.LiveTypes;
import io.tidewatch.persistence.state.EntityTypeConfig;
import io.tidewatch.protocol.EntityStateView;
import io.tidewatch.protocol.EntityProtocol.Event;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * For auditors (DESIGN §4): an entity's journal streamed as NDJSON, oldest first, and its state as of a sequence
 * number or a time, rebuilt by folding the journal through {@link EntityState#apply} — the entity's own event
 * handler. Both stream from Cassandra, so memory does not grow with the length of the journal.
 */
final class AuditRoutes extends AllDirectives {

  static final ContentType NDJSON = MediaTypes.customWithFixedCharset("application", "x-ndjson", HttpCharsets.UTF_8, Map.of(), false)
      .toContentType();
  private static final ByteString NEWLINE = ByteString.fromString("\n");

  private final ActorSystem<?> system;
  private final EntityLookup lookup;
  private final LiveTypes live;
  private final Access access;
  private final EntityJournal journal;
  private final ObjectMapper mapper;

  /** @param live the versions of each type's configuration: a replay judges readings by the rules of their time */
  AuditRoutes(ActorSystem<?> system, EntityLookup lookup, LiveTypes live, Access access, EntityJournal journal,
      ObjectMapper mapper) {
    this.system = system;
    this.lookup = lookup;
    this.live = live;
    this.access = access;
    this.journal = journal;
    this.mapper = mapper;
  }

  Route routes() {
    return pathPrefix(segment("entities").slash(segment()).slash(segment()), (type, id) ->
        concat(
            path("journal", () -> get(() -> access.require(Role.AUDITOR, () ->
                parameterMap(p -> journal(type, id, new QueryParams(p)))))),
            path("state", () -> get(() -> access.require(Role.AUDITOR, () ->
                parameterMap(p -> stateAsOf(type, id, new QueryParams(p))))))));
  }

  /**
   * One line per entry: {@code {"seqNr":..,"timestamp":..,"type":"WindowClosed","event":{...}}}; the entries of a
   * row that holds a whole command ({@code CommandJournaled}) share its sequence number and time and add {@code
   * "part"} (1, 2, …) and {@code "parts"}, so closed windows and alerts show as entries of their own.
   */
  private Route journal(String type, String id, QueryParams params) {
    lookup.config(type);
    EntityLookup.requireId(id);
    long fromSeq = orDefault(params.sequenceNr("fromSeq"), 1L);
    long toSeq = orDefault(params.sequenceNr("toSeq"), Long.MAX_VALUE);
    Long from = params.time("from");
    Long to = params.time("to");
    if (fromSeq > toSeq || (from != null && to != null && from > to)) {
      throw ProblemException.badRequest("the range is empty: fromSeq must not exceed toSeq, nor from exceed to");
    }
    return onSuccess(lookup.known(type, id), known -> {
      Source<ByteString, NotUsed> lines =
          inTimeRange(journal.events(type, id, fromSeq, toSeq), from, to).map(this::lines);
      return complete(HttpResponse.create().withEntity(HttpEntities.create(NDJSON, lines)));
    });
  }

  private Route stateAsOf(String type, String id, QueryParams params) {
    lookup.config(type);
    EntityLookup.requireId(id);
    Long asOfSeq = params.sequenceNr("asOfSeq");
    Long asOf = params.time("asOf");
    if ((asOfSeq == null) == (asOf == null)) {
      throw ProblemException.badRequest(
          "give exactly one of asOfSeq (a sequence number) or asOf (epoch ms or ISO-8601, e.g. 2026-11-21T12:00:00Z)");
    }
    Source<EventEnvelope, NotUsed> events =
        inTimeRange(journal.events(type, id, 1, asOfSeq != null ? asOfSeq : Long.MAX_VALUE), null, asOf == null || asOf == Long.MAX_VALUE ? null : asOf + 1);
    if (!live.of(type).isHeard()) { // the journal may name versions not heard of yet
      throw ProblemException.unavailable("this node has not heard the configuration versions of type " + type
          + " yet (it started moments ago); retry shortly");
    }
    CompletionStage<EntityStateView> folded = lookup.known(type, id).thenCompose(known -> events
        .runWith(Sink.fold(new Replay(new EntityState(live.of(type), id), 0), (replay, e) -> replay.next(e)), system)
        .thenApply(replay -> replay.state.toView(replay.seqNr)));
    return onSuccess(folded, view -> completeOK(view, Jackson.marshaller(mapper)));
  }

  /** The state folded so far and the sequence number of the last event in it. */
  private record Replay(EntityState state, long seqNr) {
    Replay next(EventEnvelope envelope) {
      try {
        state.apply((Event) envelope.event());
      } catch (IllegalStateException e) { // a configuration version this node cannot judge by (EntityState#judgeBy)
        throw ProblemException.unavailable("cannot rebuild the state at sequence number " + envelope.sequenceNr()
            + ": " + e.getMessage());
      }
      return new Replay(state, envelope.sequenceNr());
    }
  }

  /** Events written in [from, to); the journal is in write order, so the stream ends at the first one after. */
  private static Source<EventEnvelope, NotUsed> inTimeRange(Source<EventEnvelope, NotUsed> events, Long from, Long to) {
    Source<EventEnvelope, NotUsed> started = from == null ? events : events.dropWhile(e -> e.timestamp() < from);
    return to == null ? started : started.takeWhile(e -> e.timestamp() < to);
  }

  private ByteString lines(EventEnvelope envelope) {
    List<Event> entries = ((Event) envelope.event()).entries();
    ByteString lines = ByteString.emptyByteString();
    for (int i = 0; i < entries.size(); i++) {
      ObjectNode line = mapper.createObjectNode();
      line.put("seqNr", envelope.sequenceNr());
      line.put("timestamp", envelope.timestamp());
      if (entries.size() > 1) {
        line.put("part", i + 1);
        line.put("parts", entries.size());
      }
      line.put("type", entries.get(i).getClass().getSimpleName());
      line.set("event", mapper.valueToTree(entries.get(i)));
      try {
        lines = lines.concat(ByteString.fromArrayUnsafe(mapper.writeValueAsBytes(line))).concat(NEWLINE);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("journal events are plain records and always serialize", e);
      }
    }
    return lines;
  }

  private static long orDefault(Long value, long otherwise) {
    return value != null ? value : otherwise;
  }
}
