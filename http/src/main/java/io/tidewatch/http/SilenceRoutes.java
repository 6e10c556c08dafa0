package io.tidewatch.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidewatch.http.auth.Access;
import io.tidewatch.http.auth.Role;
import io.tidewatch.protocol.Identifiers;
import io.tidewatch.protocol.Severity;
import io.tidewatch.protocol.SilenceProtocol;
import io.tidewatch.protocol.SilenceProtocol.Matchers;
import io.tidewatch.protocol.SilenceProtocol.Silence;
import io.tidewatch.sharding.Futures;
import io.tidewatch.sharding.SilenceEntity;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.apache.pekko.pattern.StatusReply;

/**
 * For operators (issue 18): silences, which mute the notifications of matching incident transitions until their end
 * ({@link SilenceEntity}, journaled). Created with matchers on entityType / entityId / rule / severity (at least one),
 * an end in the future, a comment and who made it; listed by state; expired now by DELETE.
 */
final class SilenceRoutes extends AllDirectives {

  static final int TEXT_MAX = 1000;
  private static final Set<String> MATCHERS = Set.of("entityType", "entityId", "rule", "severity");
  private static final Set<String> FIELDS = Set.of("matchers", "endsAt", "comment", "createdBy");

  /** A silence as the API shows it: what is stored, and whether it mutes anything now. */
  record SilenceView(
      String id, Matchers matchers, long startsAt, long endsAt, String comment, String createdBy, String state) {
    static SilenceView of(Silence s, long nowMs) {
      return new SilenceView(s.id(), s.matchers(), s.startsAt(), s.endsAt(), s.comment(), s.createdBy(), s.state(nowMs));
    }
  }

  private final ActorSystem<?> system;
  private final Access access;
  private final ObjectMapper mapper;
  private final Duration timeout;
  private final Clock clock;

  SilenceRoutes(ActorSystem<?> system, Access access, ObjectMapper mapper, Duration timeout, Clock clock) {
    this.system = system;
    this.access = access;
    this.mapper = mapper;
    this.timeout = timeout;
    this.clock = clock;
  }

  Route routes() {
    return pathPrefix("silences", () -> concat(
        pathEnd(() -> concat(
            get(() -> access.require(Role.OPERATOR, () -> parameterMap(p -> json(list(new QueryParams(p)))))),
            post(() -> access.require(Role.OPERATOR, () -> entity(Unmarshaller.entityToString(), body ->
                onSuccess(create(body), created -> complete(StatusCodes.CREATED, created, Jackson.marshaller(mapper)))))))),
        path(segment(), id -> delete(() -> access.require(Role.OPERATOR, () -> json(expire(id)))))));
  }

  private <T> Route json(CompletionStage<T> answer) {
    return onSuccess(answer, value -> completeOK(value, Jackson.marshaller(mapper)));
  }

  private CompletionStage<Page<SilenceView>> list(QueryParams params) {
    String state = params.oneOf("state", List.of(Silence.ACTIVE, Silence.EXPIRED, "all"), "all");
    return Futures.plain(SilenceEntity.ref(system).<SilenceProtocol.SilenceList>ask(SilenceProtocol.GetSilences::new, timeout))
        .thenApply(list -> {
          long now = clock.millis();
          return new Page<>(list.silences().stream()
              .map(s -> SilenceView.of(s, now))
              .filter(v -> state.equals("all") || v.state().equals(state))
              .toList(), null);
        });
  }

  private CompletionStage<SilenceView> create(String body) {
    long now = clock.millis();
    Silence silence = parse(body, now);
    return ask(replyTo -> new SilenceProtocol.CreateSilence(silence, replyTo), ProblemException::badRequest)
        .thenApply(s -> SilenceView.of(s, clock.millis()));
  }

  private CompletionStage<SilenceView> expire(String id) {
    return ask(replyTo -> new SilenceProtocol.ExpireSilence(id, clock.millis(), replyTo),
        reason -> ProblemException.notFound(reason + ": GET /api/v1/silences lists them"))
        .thenApply(s -> SilenceView.of(s, clock.millis()));
  }

  /** Asks the silences entity; its rejection becomes the problem {@code rejected} makes of the reason. */
  private CompletionStage<Silence> ask(
      Function<ActorRef<StatusReply<Silence>>, SilenceProtocol.Command> command,
      Function<String, ProblemException> rejected) {
    return Rejections.asProblem(Futures.plain(SilenceEntity.ref(system).askWithStatus(command::apply, timeout)), rejected);
  }

  /** The body as a new silence starting now; anything off is a 400 saying what. */
  Silence parse(String body, long now) {
    JsonNode root;
    try {
      root = mapper.readTree(body);
    } catch (JsonProcessingException e) {
      throw ProblemException.badRequest("the body is not JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw ProblemException.badRequest("the body must be a JSON object with matchers, endsAt, comment and createdBy");
    }
    JsonFields.onlyKnown(root, FIELDS, "field");
    JsonNode m = root.get("matchers");
    if (m == null || !m.isObject()) {
      throw ProblemException.badRequest("matchers must be an object with any of " + String.join(", ", JsonFields.sorted(MATCHERS)));
    }
    JsonFields.onlyKnown(m, MATCHERS, "matcher");
    String entityType = JsonFields.text(m, "entityType", Identifiers.NAME_MAX);
    String entityId = JsonFields.text(m, "entityId", Identifiers.ENTITY_ID_MAX);
    if (entityId != null && !Identifiers.isEntityId(entityId)) {
      throw ProblemException.badRequest("matchers.entityId must be " + Identifiers.ENTITY_ID_RULE);
    }
    String rule = JsonFields.text(m, "rule", Identifiers.NAME_MAX);
    String severity = JsonFields.text(m, "severity", Identifiers.NAME_MAX);
    Matchers matchers;
    try {
      matchers = new Matchers(entityType, entityId, rule, severity == null ? null : Severity.of(severity));
    } catch (IllegalArgumentException e) {
      throw ProblemException.badRequest("matchers.severity: " + e.getMessage());
    }
    if (matchers.isEmpty()) {
      throw ProblemException.badRequest("a silence needs at least one matcher: " + String.join(", ", JsonFields.sorted(MATCHERS)));
    }
    long endsAt = endsAt(root.get("endsAt"));
    if (endsAt <= now) {
      throw ProblemException.badRequest("endsAt must be in the future");
    }
    String comment = required(root, "comment");
    String createdBy = required(root, "createdBy");
    return new Silence(UUID.randomUUID().toString(), matchers, now, endsAt, comment, createdBy);
  }

  private static long endsAt(JsonNode node) {
    if (node == null || node.isNull()) {
      throw ProblemException.badRequest("endsAt is missing: epoch milliseconds or ISO-8601, in the future");
    }
    if (node.isIntegralNumber() && node.canConvertToLong()) {
      return node.asLong();
    }
    if (!node.isTextual()) {
      throw ProblemException.badRequest("endsAt must be epoch milliseconds or an ISO-8601 time, got " + node);
    }
    return new QueryParams(Map.of("endsAt", node.asText())).time("endsAt"); // the API's one time grammar
  }

  private static String required(JsonNode root, String field) {
    String value = JsonFields.text(root, field, TEXT_MAX);
    if (value == null || value.isBlank()) {
      throw ProblemException.badRequest(field + " is required: a non-blank string");
    }
    return value;
  }

}
