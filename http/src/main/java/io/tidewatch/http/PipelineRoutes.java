package io.tidewatch.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.tidewatch.http.auth.Access;
import io.tidewatch.http.auth.Role;
import io.tidewatch.persistence.pipeline.InvalidPipeline;
import io.tidewatch.persistence.pipeline.Pipeline;
import io.tidewatch.persistence.pipeline.PipelineResult;
import io.tidewatch.persistence.state.LiveTypes;
import io.tidewatch.protocol.ParseResult;
import io.tidewatch.protocol.Reading;
import io.tidewatch.protocol.ReadingFormat;
import io.tidewatch.protocol.ReadingParser;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

/**
 * For operators: {@code POST /types/{type}/pipeline/dry-run} runs sample readings through a proposed pipeline (or
 * the type's current one) and answers what each would become — kept (and how), filtered or dead-lettered — so a
 * pipeline can be tried before it goes into the configuration. It compiles and runs exactly as the ingest does, and
 * touches no entity and no topic.
 */
final class PipelineRoutes extends AllDirectives {

  record Item(int index, String result, String reason, Reading reading) {}

  record DryRun(List<Item> items) {}

  private final Access access;
  private final LiveTypes types;
  private final ReadingParser parser;
  private final ObjectMapper mapper;
  private final long maxBodyBytes;

  PipelineRoutes(Access access, LiveTypes types, ReadingParser parser, ObjectMapper mapper, long maxBodyBytes) {
    this.access = access;
    this.types = types;
    this.parser = parser;
    this.mapper = mapper;
    this.maxBodyBytes = maxBodyBytes;
  }

  Route routes() {
    return path(segment("types").slash(segment()).slash("pipeline").slash("dry-run"), type ->
        post(() -> access.require(Role.OPERATOR, () ->
            withSizeLimit(maxBodyBytes, () ->
                entity(Unmarshaller.entityToString(), body ->
                    completeOK(dryRun(type, body), Jackson.marshaller(mapper)))))));
  }

  private DryRun dryRun(String type, String body) {
    if (!types.byType().containsKey(type)) {
      throw ProblemException.notFound("no entity type '" + type + "'; known: " + types.byType().keySet());
    }
    JsonNode request;
    try {
      request = mapper.readTree(body);
    } catch (JsonProcessingException e) {
      throw ProblemException.badRequest("the body is not JSON: " + e.getOriginalMessage());
    }
    if (request == null || !request.isObject() || !request.path("readings").isArray()) {
      throw ProblemException.badRequest("send {\"pipeline\": [...steps...], \"readings\": [...]}; pipeline is optional");
    }
    Pipeline pipeline =
        request.has("pipeline") ? compile(request.get("pipeline")) : types.of(type).latest().pipeline(); // the live one
    List<Item> items = new ArrayList<>();
    JsonNode readings = request.get("readings");
    for (int i = 0; i < readings.size(); i++) {
      ParseResult parsed =
          parser.parseAs(readings.get(i).toString().getBytes(StandardCharsets.UTF_8), ReadingFormat.JSON);
      if (parsed instanceof ParseResult.Rejected r) { // the ingest would dead-letter it before any pipeline
        items.add(new Item(i, "dead-letter", r.reason(), null));
        continue;
      }
      PipelineResult result = pipeline.apply(((ParseResult.Parsed) parsed).reading());
      if (result instanceof PipelineResult.Kept k) {
        items.add(new Item(i, "kept", null, k.reading()));
      } else if (result instanceof PipelineResult.Filtered f) {
        items.add(new Item(i, "filtered", f.reason(), null));
      } else {
        items.add(new Item(i, "dead-letter", ((PipelineResult.DeadLetter) result).reason(), null));
      }
    }
    return new DryRun(items);
  }

  /** The steps as JSON, read as the HOCON of the configuration reads them (JSON is HOCON), so both agree. */
  private static Pipeline compile(JsonNode steps) {
    if (!steps.isArray()) {
      throw ProblemException.badRequest("pipeline must be an array of steps");
    }
    try {
      return Pipeline.of(ConfigFactory.parseString("pipeline = " + steps).getConfigList("pipeline"));
    } catch (InvalidPipeline e) {
      throw ProblemException.badRequest(e.key() + ": " + e.getMessage());
    } catch (ConfigException e) {
      throw ProblemException.badRequest("pipeline: " + e.getMessage());
    }
  }
}
