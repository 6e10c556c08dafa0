package io.tidewatch.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document served at {@code GET /api/v1/openapi.json} against the routes the node serves (ApiRoutes and
 * the route classes it joins): the same routes, each with the role it requires, and nothing that does not resolve.
 */
class OpenApiDocumentTest {

  /** A route any known token may call: a token always holds a role, so it has nothing to forbid (no 403). */
  private static final String ANY_KNOWN_TOKEN = "any";

  /** Every route of the API, as the route classes define it, relative to {@code /api/v1}, with the role it requires. */
  private static final Map<String, String> ROLE_OF_ROUTE = Map.ofEntries(
      // EntityRoutes
      Map.entry("GET /entities/{type}/{id}", "reader"),
      Map.entry("GET /entities/{type}/{id}/windows", "reader"),
      Map.entry("GET /entities/{type}/{id}/alerts", "reader"),
      Map.entry("GET /entities/{type}/{id}/incidents", "reader"),
      // AuditRoutes
      Map.entry("GET /entities/{type}/{id}/journal", "auditor"),
      Map.entry("GET /entities/{type}/{id}/state", "auditor"),
      // ReadSideRoutes
      Map.entry("GET /entities/{type}", "reader"),
      Map.entry("GET /alerts", "reader"),
      Map.entry("GET /incidents", "reader"),
      // ReadingsRoutes
      Map.entry("POST /readings", "writer"),
      // LiveRoutes
      Map.entry("GET /stream/alerts", "reader"),
      Map.entry("GET /stream/incidents", "reader"),
      Map.entry("GET /stream/entities/{type}/{id}", "reader"),
      // ClusterRoutes; POST /cluster/members/{address}/{action} takes only these two actions
      Map.entry("GET /cluster", "operator"),
      Map.entry("GET /cluster/shards", "operator"),
      Map.entry("POST /cluster/members/{address}/leave", "operator"),
      Map.entry("POST /cluster/members/{address}/down", "operator"),
      // NotificationRoutes
      Map.entry("GET /notifications/failed", "operator"),
      Map.entry("POST /notifications/failed/{id}/resend", "operator"),
      // SilenceRoutes
      Map.entry("GET /silences", "operator"),
      Map.entry("POST /silences", "operator"),
      Map.entry("DELETE /silences/{id}", "operator"),
      // PipelineRoutes
      Map.entry("POST /types/{type}/pipeline/dry-run", "operator"),
      // TypeRoutes
      Map.entry("GET /types", "reader"),
      Map.entry("GET /types/{type}/versions", "reader"),
      Map.entry("GET /types/{type}/rules", "reader"),
      Map.entry("PUT /types/{type}/rules", "operator"),
      Map.entry("GET /types/{type}/pipeline", "reader"),
      Map.entry("PUT /types/{type}/pipeline", "operator"),
      // TokenRoutes: any known token
      Map.entry("GET /token", ANY_KNOWN_TOKEN));

  /** Open to all: no token, no role. */
  private static final String OPEN_ROUTE = "GET /openapi.json";

  private static final Set<String> ROLES = Set.of("reader", "writer", "auditor", "operator", ANY_KNOWN_TOKEN);

  private static final Set<String> HTTP_METHODS =
      Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

  private static final String SCHEMA_REF_PREFIX = "#/components/schemas/";

  private static JsonNode document;

  @BeforeAll
  static void load() throws IOException {
    try (InputStream in = OpenApiDocumentTest.class.getClassLoader().getResourceAsStream(OpenApiRoute.RESOURCE)) {
      assertNotNull(in, OpenApiRoute.RESOURCE + " is not on the classpath");
      document = new ObjectMapper().readTree(in);
    }
  }

  @Test
  void isAnOpenApi3DocumentOfTheVersionedApi() {
    assertTrue(document.path("openapi").asText().startsWith("3."), "openapi: " + document.path("openapi"));
    assertEquals("/api/v1", document.path("servers").path(0).path("url").asText());
    JsonNode bearer = document.path("components").path("securitySchemes").path("bearerAuth");
    assertEquals("http", bearer.path("type").asText());
    assertEquals("bearer", bearer.path("scheme").asText());
    assertTrue(document.path("security").path(0).has("bearerAuth"), "bearer tokens are required by default");
  }

  @Test
  void describesExactlyTheRoutesTheNodeServes() {
    Set<String> served = new TreeSet<>(ROLE_OF_ROUTE.keySet());
    served.add(OPEN_ROUTE);

    assertEquals(served, new TreeSet<>(operations().keySet()));
  }

  @Test
  void requiresTheRoleEachRouteChecks() {
    Map<String, String> documented = new TreeMap<>();
    forEachProtectedOperation((route, operation) -> documented.put(route, operation.path("x-tidewatch-role").asText()));

    assertEquals(new TreeMap<>(ROLE_OF_ROUTE), documented);
  }

  @Test
  void statesTheRoleAndTheAuthFailuresOfEveryProtectedRoute() {
    forEachProtectedOperation((route, operation) -> {
      String role = operation.path("x-tidewatch-role").asText();
      assertTrue(ROLES.contains(role), route + " has role '" + role + "'");
      assertTrue(operation.path("description").asText().contains("`" + role + "`"),
          route + " does not name its role in its description");
      assertTrue(operation.path("responses").has("401"), route + " lists no 401");
      assertTrue(role.equals(ANY_KNOWN_TOKEN) || operation.path("responses").has("403"), route + " lists no 403");
    });
  }

  @Test
  void leavesTheDocumentItselfOpen() {
    JsonNode operation = operations().get(OPEN_ROUTE);

    assertTrue(operation.path("security").isArray() && operation.path("security").isEmpty(),
        OPEN_ROUTE + " must have security: []");
    assertTrue(operation.path("x-tidewatch-role").isMissingNode(), OPEN_ROUTE + " needs no role");
  }

  @Test
  void givesEveryOperationItsOwnId() {
    Set<String> ids = new HashSet<>();
    operations().forEach((route, operation) -> {
      String id = operation.path("operationId").asText();
      assertTrue(!id.isEmpty(), route + " has no operationId");
      assertTrue(ids.add(id), route + " repeats the operationId " + id);
    });
  }

  @Test
  void answersEveryErrorAsAProblemDocument() {
    operations().forEach((route, operation) -> operation.path("responses").properties().forEach(response -> {
      if (response.getKey().startsWith("4") || response.getKey().startsWith("5")) {
        assertEquals(SCHEMA_REF_PREFIX + "Problem",
            response.getValue().path("content").path("application/problem+json").path("schema").path("$ref").asText(),
            route + " answers " + response.getKey() + " without a Problem");
      }
    }));
  }

  @Test
  void resolvesEveryReferenceToASchema() {
    List<String> refs = new ArrayList<>();
    collectRefs(document, refs);
    JsonNode schemas = document.path("components").path("schemas");

    assertTrue(!refs.isEmpty(), "the document refers to no schema at all");
    for (String ref : refs) {
      assertTrue(ref.startsWith(SCHEMA_REF_PREFIX), ref + " does not point into components/schemas");
      assertTrue(schemas.has(ref.substring(SCHEMA_REF_PREFIX.length())), ref + " names no schema");
    }
  }

  /** Every operation of the document by {@code "METHOD path"}. */
  private static Map<String, JsonNode> operations() {
    Map<String, JsonNode> operations = new TreeMap<>();
    document.path("paths").properties().forEach(path -> path.getValue().properties().forEach(item -> {
      if (HTTP_METHODS.contains(item.getKey())) {
        operations.put(item.getKey().toUpperCase() + " " + path.getKey(), item.getValue());
      }
    }));
    return operations;
  }

  private static void forEachProtectedOperation(BiConsumer<String, JsonNode> check) {
    operations().forEach((route, operation) -> {
      if (!route.equals(OPEN_ROUTE)) {
        check.accept(route, operation);
      }
    });
  }

  private static void collectRefs(JsonNode node, List<String> refs) {
    if (node.isObject() && node.has("$ref")) {
      refs.add(node.get("$ref").asText());
    }
    for (Iterator<JsonNode> children = node.elements(); children.hasNext(); ) {
      collectRefs(children.next(), refs);
    }
  }
}
