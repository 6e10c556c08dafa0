package io.tidewatch.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidewatch.http.auth.Access;
import io.tidewatch.http.auth.Role;
import io.tidewatch.persistence.query.EntityJournal;
import io.tidewatch.persistence.window.WindowSpec;
import io.tidewatch.protocol.AlertView;
import io.tidewatch.protocol.EntityProtocol.AlertsReply;
import io.tidewatch.protocol.EntityProtocol.Command;
import io.tidewatch.protocol.EntityProtocol.GetAlerts;
import io.tidewatch.protocol.EntityProtocol.GetState;
import io.tidewatch.protocol.EntityProtocol.GetWindows;
import io.tidewatch.protocol.EntityProtocol.WindowsReply;
import io.tidewatch.protocol.EntityStateView;
import io.tidewatch.protocol.WindowView;
import io.tidewatch.sharding.Futures;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Per-entity queries under {@code /api/v1/entities/{type}/{id}} (DESIGN §4), for readers: state, closed windows and alerts.
 * Each asks the entity through sharding; windows and alerts older than the entity keeps come from its journal.
 */
final class EntityRoutes extends AllDirectives {

  private final EntityLookup lookup;
  private final Access access;
  private final EntityJournal journal;
  private final Duration askTimeout;
  private final ObjectMapper mapper;

  EntityRoutes(EntityLookup lookup, Access access, EntityJournal journal, Duration askTimeout, ObjectMapper mapper) {
    this.lookup = lookup;
    this.access = access;
    this.journal = journal;
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
                parameterMap(p -> json(alerts(type, id, new QueryParams(p)))))))));
  }

  private <T> Route json(CompletionStage<T> answer) {
    return onSuccess(answer, value -> completeOK(value, Jackson.marshaller(mapper)));
  }

  private CompletionStage<EntityStateView> state(String type, String id) {
    return Futures.plain(lookup.entity(type, id).ask(GetState::new, askTimeout))
        .thenApply(view -> {
          if (view.isUnknown()) {
            throw EntityLookup.unknown(type, id);
          }
          return view;
        });
  }

  private CompletionStage<Page<WindowView>> windows(String type, String id, QueryParams params) {
    EntityRef<Command> entity = lookup.entity(type, id);
    String spec = params.name("spec");
    if (spec != null && lookup.config(type).windows().stream().map(WindowSpec::id).noneMatch(spec::equals)) {
      throw ProblemException.badRequest(
          "unknown spec " + spec + " for " + type + "; known: "
              + lookup.config(type).windows().stream().map(WindowSpec::id).toList());
    }
    String metric = params.name("metric");
    Long from = params.time("from");
    Long to = params.time("to");
    requireOrdered(from, to);
    int offset = params.cursor();
    int wanted = offset + params.limit() + 1; // one more than the page shows whether there is a next one
    return Futures.plain(
            entity.<WindowsReply>ask(replyTo -> new GetWindows(spec, metric, from, to, wanted, replyTo), askTimeout))
        .thenCompose(reply -> {
          if (reply.lastSeqNr() == 0) {
            throw EntityLookup.unknown(type, id);
          }
          return reply.items().size() < wanted && reply.forgotten()
              ? Futures.plain(journal.closedWindows(type, id, spec, metric, from, to, wanted))
              : CompletableFuture.completedFuture(reply.items());
        })
        .thenApply(all -> Page.of(all, offset, params.limit()));
  }

  private CompletionStage<Page<AlertView>> alerts(String type, String id, QueryParams params) {
    EntityRef<Command> entity = lookup.entity(type, id);
    Long from = params.time("from");
    Long to = params.time("to");
    requireOrdered(from, to);
    int offset = params.cursor();
    int wanted = offset + params.limit() + 1;
    return Futures.plain(entity.<AlertsReply>ask(replyTo -> new GetAlerts(from, to, wanted, replyTo), askTimeout))
        .thenCompose(reply -> {
          if (reply.lastSeqNr() == 0) {
            throw EntityLookup.unknown(type, id);
          }
          return reply.items().size() < wanted && reply.forgotten()
              ? Futures.plain(journal.alerts(type, id, from, to, wanted))
              : CompletableFuture.completedFuture((List<AlertView>) reply.items());
        })
        .thenApply(all -> Page.of(all, offset, params.limit()));
  }

  private static void requireOrdered(Long from, Long to) {
    if (from != null && to != null && from > to) {
      throw ProblemException.badRequest("from must not be after to");
    }
  }

}
