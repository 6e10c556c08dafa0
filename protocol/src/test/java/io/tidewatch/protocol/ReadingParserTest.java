package io.tidewatch.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReadingParserTest {

  private static final long NOW = 1_700_000_100_000L;
  private final ReadingParser parser = new ReadingParser(Set.of("sensor", "user"), Duration.ofMinutes(10), () -> NOW);

  private ParseResult parse(String json) {
    return parser.parse(json.getBytes(StandardCharsets.UTF_8));
  }

  private Reading parsed(String json) {
    return assertInstanceOf(ParseResult.Parsed.class, parse(json)).reading();
  }

  private String rejection(String json) {
    return assertInstanceOf(ParseResult.Rejected.class, parse(json)).reason();
  }

  private String category(String json) {
    return assertInstanceOf(ParseResult.Rejected.class, parse(json)).category().label();
  }

  @Test
  void namesEachKindOfRejectionWithAFixedCategory() {
    assertEquals("invalid-json", category("{not json"));
    assertEquals("not-an-object", category("[1]"));
    assertEquals("bad-id", category("{\"ts\":1}"));
    assertEquals("unknown-type", category("{\"entityType\":\"robot\",\"entityId\":\"r1\",\"ts\":1}"));
    assertEquals("bad-time", category("{\"entityType\":\"sensor\",\"entityId\":\"s1\"}"));
    assertEquals("bad-metric", category("{\"entityType\":\"sensor\",\"entityId\":\"s1\",\"ts\":1,\"metrics\":{\"t\":\"hot\"}}"));
    // the category comes from where the reason is written, not from its words ("volts" contains "ts")
    assertEquals("bad-metric", category("{\"entityType\":\"sensor\",\"entityId\":\"s1\",\"ts\":1,\"metrics\":{\"volts\":\"high\"}}"));
    assertEquals("bad-id", category("{\"sensor_id\":7,\"timestamp\":1}"));
    assertEquals("too-large", category("{\"entityType\":\"sensor\",\"entityId\":\"s1\",\"ts\":1,\"metrics\":{"
        + java.util.stream.IntStream.range(0, 200).mapToObj(i -> "\"m" + i + "\":1").collect(java.util.stream.Collectors.joining(","))
        + "}}"));
    assertEquals("invalid-field", category("{\"entityType\":\"sensor\",\"entityId\":\"s1\",\"ts\":1,\"attrs\":{\"site\":3}}"));
  }

  @Test
  void parsesTheCanonicalForm() {
    Reading r =
        parsed(
            "{\"entityType\":\"sensor\",\"entityId\":\"sensor-00042\",\"ts\":1700000000123,"
                + "\"metrics\":{\"temperature\":21.37,\"humidity\":40.1},\"event\":\"reading\",\"attrs\":{\"site\":\"plant-1\"}}");
    assertEquals("sensor", r.entityType());
    assertEquals("sensor-00042", r.entityId());
    assertEquals(1700000000123L, r.ts());
    assertEquals(Map.of("temperature", 21.37, "humidity", 40.1), r.metrics());
    assertEquals("reading", r.event());
    assertEquals(Map.of("site", "plant-1"), r.attrs());
  }

  @Test
  void parsesTheLegacySensorFormWithTimestampInSeconds() {
    Reading r = parsed("{\"sensor_id\":\"sensor_1\",\"temperature\":20.5,\"unit\":\"celsius\",\"timestamp\":1700000000.5}");
    assertEquals("sensor", r.entityType());
    assertEquals("sensor_1", r.entityId());
    assertEquals(1700000000500L, r.ts());
    assertEquals(Map.of("temperature", 20.5), r.metrics());
    assertEquals(Map.of("unit", "celsius"), r.attrs());
    assertNull(r.event());
  }

  @Test
  void parsesTheLegacyUserFormWithTimestampInMilliseconds() {
    Reading r =
        parsed("{\"user_id\":\"u1\",\"event\":\"purchase\",\"purchase\":19.9,\"view_time\":31.0,\"timestamp\":1700000000123}");
    assertEquals("user", r.entityType());
    assertEquals("u1", r.entityId());
    assertEquals(1700000000123L, r.ts());
    assertEquals("purchase", r.event());
    assertEquals(Map.of("purchase", 19.9, "view_time", 31.0), r.metrics());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "not json at all|invalid JSON",
        "[1,2]|expected a JSON object",
        "{\"entityType\":\"sensor\",\"ts\":1}|missing entityId",
        "{\"entityType\":\"sensor\",\"entityId\":\"s1\"}|missing ts",
        "{\"entityType\":\"robot\",\"entityId\":\"s1\",\"ts\":1}|unknown entity type robot",
        "{\"entityType\":\"sensor\",\"entityId\":\"bad id!\",\"ts\":1}|entity id must be",
        "{\"entityType\":\"sensor\",\"entityId\":\"s1\",\"ts\":\"yesterday\"}|ts must be an integer",
        "{\"entityType\":\"sensor\",\"entityId\":\"s1\",\"ts\":1,\"metrics\":{\"t\":\"hot\"}}|metric t must be a number",
        "{\"entityType\":\"sensor\",\"entityId\":\"s1\",\"ts\":1,\"metrics\":{\"t\":1e999}}|metric t must be finite",
        "{\"entityType\":\"sensor\",\"entityId\":\"s1\",\"ts\":1,\"metrics\":{\"t\":NaN}}|invalid JSON",
        "{\"sensor_id\":\"s1\",\"temperature\":1}|missing timestamp",
        "{\"sensor_id\":\"s1\",\"temperature\":1,\"timestamp\":1e300}|timestamp out of range",
        "{\"entityType\":\"sensor\",\"entityId\":\"s1\",\"ts\":9223372036854775807}|event time 9223372036854775807 is more than PT10M ahead",
        "{\"entityType\":\"sensor\",\"entityId\":\"s1\",\"ts\":1700000700001}|event time 1700000700001 is more than PT10M ahead",
        "{\"entityType\":\"sensor\",\"entityId\":\"s1\",\"ts\":1,\"metrics\":{\"t\":-2e15}}|metric t exceeds the magnitude limit",
        "{\"hello\":\"world\"}|no entity id",
      })
  void rejectsBadRecordsWithAReadableReason(String json, String reasonStart) {
    String reason = rejection(json);
    assertTrue(reason.startsWith(reasonStart), () -> "reason was: " + reason);
  }

  @Test
  void rejectsOversizeRecords() {
    byte[] big = new byte[ReadingParser.MAX_RECORD_BYTES + 1];
    assertTrue(assertInstanceOf(ParseResult.Rejected.class, parser.parse(big)).reason().contains("exceeds the limit"));
  }

  @Test
  void rejectsTooManyMetrics() {
    StringBuilder metrics = new StringBuilder();
    for (int i = 0; i <= ReadingParser.MAX_METRICS; i++) {
      metrics.append(i == 0 ? "" : ",").append("\"m").append(i).append("\":1");
    }
    String reason = rejection("{\"entityType\":\"sensor\",\"entityId\":\"s1\",\"ts\":1,\"metrics\":{" + metrics + "}}");
    assertTrue(reason.contains("metrics exceed the limit"), reason);
  }

  /** Records the streamed canonical parse sees first; the tree parse must give the same result for each. */
  private static final List<String> CANONICAL_VARIANTS = List.of(
      "{\"entityType\":\"sensor\",\"entityId\":\"sensor-00042\",\"ts\":1700000000123,\"metrics\":{\"temperature\":21.37}}",
      "{\"ts\":1,\"entityId\":\"a.b_c:d-e\",\"entityType\":\"user\",\"event\":\"click\",\"attrs\":{\"k\":\"v\",\"\":\"\"}}",
      "{\"entityType\":\"sensor\",\"entityId\":\"s1\",\"ts\":0,\"metrics\":null,\"attrs\":null,\"event\":null}",
      "{\"entityType\":\"sensor\",\"entityId\":\"s1\",\"ts\":5,\"metrics\":{\"a\":1,\"b\":-0.0,\"c\":1e15,\"d\":-1E-300}}",
      "{\"entityType\":\"sensor\",\"entityId\":\"s1\",\"ts\":5,\"metrics\":{\"a\":1,\"a\":2}}",
      "{\"entityType\":\"sensor\",\"entityId\":\"s1\",\"entityId\":\"s2\",\"ts\":5}",
      "{\"entityType\":\"sensor\",\"entityId\":\"s1\",\"ts\":5,\"sensor_id\":\"x\"}",
      "{\"entityType\":\"sensor\",\"entityId\":\"s1\",\"ts\":5,\"extra\":[1,2]}",
      "{\"entityType\":\"sensor\",\"entityId\":\"s1\",\"ts\":5.0}",
      "{\"entityType\":\"sensor\",\"entityId\":\"s1\",\"ts\":99999999999999999999}",
      "{\"entityType\":\"sensor\",\"entityId\":\"s1\",\"ts\":-1}",
      "{\"entityType\":\"sensor\",\"entityId\":\"s 1\",\"ts\":1}",
      "{\"entityType\":\"sensor\",\"entityId\":\"\",\"ts\":1}",
      "{\"entityType\":\"sensor\",\"entityId\":\"s1\",\"ts\":1,\"metrics\":{\"bad name\":1}}",
      "{\"entityType\":\"sensor\",\"entityId\":\"s1\",\"ts\":1,\"metrics\":{\"t\":1e16}}",
      "{\"entityType\":\"sensor\",\"entityId\":\"s1\",\"ts\":1,\"metrics\":{\"t\":\"1\"}}",
      "{\"entityType\":\"sensor\",\"entityId\":\"s1\",\"ts\":1,\"attrs\":{\"k\":1}}",
      "{\"entityType\":\"sensor\",\"entityId\":\"s1\",\"ts\":1,\"event\":\"no spaces\"}",
      "{\"entityType\":\"sensor\",\"entityId\":\"s1\",\"ts\":1} trailing",
      "{\"entityType\":\"sensor\",\"entityId\":\"s1\",\"ts\":1",
      "{\"entityType\":\"robot\",\"entityId\":\"s1\",\"ts\":1}");

  @Test
  void theStreamedCanonicalParseGivesWhatTheTreeParseGives() {
    for (String json : CANONICAL_VARIANTS) {
      byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
      assertEquals(parser.parseTree(bytes), parser.parse(bytes), json);
    }
  }

  @Test
  void theStreamedCanonicalParseGivesWhatTheTreeParseGivesForMangledRecords() {
    // Random edits of canonical records: most become invalid in some way, some stay valid.
    String alphabet = "{}[]:,\"0123456789.-eE nul\\tsmxa";
    Random random = new Random(42);
    int accepted = 0;
    for (int i = 0; i < 20_000; i++) {
      StringBuilder json = new StringBuilder(CANONICAL_VARIANTS.get(random.nextInt(4)));
      for (int edits = 1 + random.nextInt(3); edits > 0; edits--) {
        int at = random.nextInt(json.length());
        switch (random.nextInt(3)) {
          case 0 -> json.deleteCharAt(at);
          case 1 -> json.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
          default -> json.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
        }
      }
      byte[] bytes = json.toString().getBytes(StandardCharsets.UTF_8);
      ParseResult expected = parser.parseTree(bytes);
      assertEquals(expected, parser.parse(bytes), json::toString);
      accepted += expected instanceof ParseResult.Parsed ? 1 : 0;
    }
    assertTrue(accepted > 1000, "too few edits left a valid record to compare: " + accepted);
  }
}
