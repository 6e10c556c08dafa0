package io.tidewatch.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidewatch.http.auth.Access;
import io.tidewatch.http.auth.Role;
import io.tidewatch.persistence.state.EntityTypes;
import io.tidewatch.persistence.window.WindowSpec;
import io.tidewatch.protocol.TypeConfigProtocol.History;
import io.tidewatch.protocol.TypeConfigProtocol.Part;
import io.tidewatch.protocol.TypeConfigProtocol.Version;
import io.tidewatch.sharding.Futures;
import io.tidewatch.sharding.TypeConfigSync;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

/**
 * The live configuration of entity types (issue 19): {@code GET /types}, {@code GET /types/{type}/versions}, and
 * {@code GET}/{@code PUT /types/{type}/rules} and {@code .../pipeline}. A change is a new version of the type's
 * configuration entity, journaled, in force on every node within moments; the answers come from that entity's
 * journal, not from what this node has heard. Rules and steps are written as in the configuration file (JSON is
 * HOCON) and compiled by the same code; one that does not compile is a 400 naming its key.
 */
final class TypeRoutes extends AllDirectives {

  /** One version as the API shows it; {@code anomalies} and {@code pipeline} in the configuration file's form. */
  record VersionView(String type, int version, String change, String changedBy, long changedAt, JsonNode anomalies,
      JsonNode pipeline) {}

  /**
   * A type: its static windows, its newest version, and the newest version this node has heard of ({@code
   * nodeVersion}: equal to {@code current.version} once a change has reached it).
   */
  record TypeView(String type, List<String> windows, VersionView current, int nodeVersion) {}

  private static final Set<String> RULES_FIELDS = Set.of("anomalies", "changedBy");
  private static final Set<String> PIPELINE_FIELDS = Set.of("pipeline", "changedBy");
  private static final String DEFAULT_AUTHOR = "operator";
  private static final int AUTHOR_MAX = 128;

  private final Access access;
  private final EntityTypes types;
  private final TypeConfigSync configs;
  private final ObjectMapper mapper;
  private final long maxBodyBytes;

  TypeRoutes(Access access, EntityTypes types, TypeConfigSync configs, ObjectMapper mapper, long maxBodyBytes) {
    this.access = access;
    this.types = types;
    this.configs = configs;
    this.mapper = mapper;
    this.maxBodyBytes = maxBodyBytes;
  }

  Route routes() {
    return pathPrefix("types", () -> concat(
        pathEnd(() -> get(() -> access.require(Role.READER, () -> json(list())))),
        pathPrefix(segment(), type -> concat(
            path("versions", () -> get(() -> access.require(Role.READER, () -> json(versions(type))))),
            path("rules", () -> part(type, Part.RULES)),
            path("pipeline", () -> part(type, Part.PIPELINE))))));
  }

  private Route part(String type, Part part) {
    return concat(
        get(() -> access.require(Role.READER, () -> json(history(type).thenApply(h -> view(h, h.latest()))))),
        put(() -> access.require(Role.OPERATOR, () -> withSizeLimit(maxBodyBytes, () ->
            entity(Unmarshaller.entityToString(), body -> json(change(type, part, body)))))));
  }

  private <T> Route json(CompletionStage<T> answer) {
    return onSuccess(answer, value -> completeOK(value, Jackson.marshaller(mapper)));
  }

  private CompletionStage<Page<TypeView>> list() {
    List<CompletableFuture<TypeView>> each = types.names().stream().sorted()
        .map(type -> history(type).thenApply(h -> new TypeView(type,
            types.get(type).orElseThrow().windows().stream().map(WindowSpec::id).toList(), view(h, h.latest()),
            configs.live().of(type).latest().number())).toCompletableFuture())
        .toList();
    return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
        .thenApply(done -> new Page<>(each.stream().map(CompletableFuture::join).toList(), null));
  }

  private CompletionStage<Page<VersionView>> versions(String type) {
    return history(type).thenApply(h -> new Page<>(h.versions().stream().map(v -> view(h, v)).toList(), null));
  }

  private CompletionStage<History> history(String type) {
    requireType(type);
    return Futures.plain(configs.history(type));
  }

  private CompletionStage<VersionView> change(String type, Part part, String body) {
    requireType(type);
    String key = part == Part.RULES ? "anomalies" : "pipeline";
    JsonNode root;
    try {
      root = mapper.readTree(body);
    } catch (JsonProcessingException e) {
      throw ProblemException.badRequest("the body is not JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject() || !root.path(key).isArray()) {
      throw ProblemException.badRequest("send {\"" + key + "\": [...], \"changedBy\": \"who\"}; changedBy is optional");
    }
    JsonFields.onlyKnown(root, part == Part.RULES ? RULES_FIELDS : PIPELINE_FIELDS, "field");
    String by = JsonFields.text(root, "changedBy", AUTHOR_MAX);
    String author = by == null ? DEFAULT_AUTHOR : by;
    if (!configs.live().of(type).isHeard()) {
      throw ProblemException.unavailable("this node has not heard the configuration of type " + type
          + " yet (it started moments ago); retry shortly");
    }
    // A rejection names the key: anomalies[0], pipeline[1].expr.
    return Rejections.asProblem(Futures.plain(configs.change(type, part, root.get(key).toString(), author)),
        ProblemException::badRequest).thenApply(h -> view(h, h.latest()));
  }

  private void requireType(String type) {
    if (types.get(type).isEmpty()) {
      throw ProblemException.notFound("no entity type '" + type + "'; known: " + types.names());
    }
  }

  private VersionView view(History history, Version version) {
    if (version == null) {
      throw ProblemException.notFound("type " + history.type() + " has no configuration versions yet");
    }
    try {
      return new VersionView(history.type(), version.version(), version.change(), version.by(), version.at(),
          mapper.readTree(version.sources().anomalies()), mapper.readTree(version.sources().pipeline()));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a journaled version is not JSON", e);
    }
  }
}
