package io.tidewatch.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tidewatch.protocol.proto.ReadingProtos;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Protobuf readings pass the same rules as JSON ones: each rule, broken in both formats, gives the same rejection. */
class ProtobufReadingParserTest {

  private static final long NOW = 1_700_000_100_000L;
  /** Types whose names are 9, 10, 13 and 32 long: their length byte after the tag 0x0A is JSON whitespace. */
  private static final Set<String> TYPES =
      Set.of("sensor", "user", "equipment", "machine-01", "thirteen-char", "a-type-name-of-thirty-two-chars-");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ReadingParser parser = new ReadingParser(TYPES, Duration.ofMinutes(10), () -> NOW);

  private static ReadingProtos.Reading.Builder valid() {
    return ReadingProtos.Reading.newBuilder()
        .setEntityType("sensor")
        .setEntityId("sensor-00042")
        .setTs(1_700_000_000_123L)
        .putMetrics("temperature", 21.37)
        .putMetrics("humidity", 40.1)
        .setEvent("reading")
        .putAttrs("site", "plant-1");
  }

  /** The canonical JSON of the same content: absent or empty fields left out, infinities as 1e999. */
  private static byte[] json(ReadingProtos.Reading m) {
    StringBuilder json = new StringBuilder("{");
    ObjectNode strings = JSON.createObjectNode();
    if (!m.getEntityType().isEmpty()) {
      strings.put("entityType", m.getEntityType());
    }
    if (!m.getEntityId().isEmpty()) {
      strings.put("entityId", m.getEntityId());
    }
    if (m.hasEvent()) {
      strings.put("event", m.getEvent());
    }
    strings.putPOJO("attrs", m.getAttrsMap());
    String fields = strings.toString();
    json.append(fields, 1, fields.length() - 1);
    if (m.hasTs()) {
      json.append(",\"ts\":").append(m.getTs());
    }
    json.append(",\"metrics\":{");
    String separator = "";
    for (var metric : m.getMetricsMap().entrySet()) {
      double v = metric.getValue();
      String number = Double.isInfinite(v) ? (v > 0 ? "1e999" : "-1e999") : Double.toString(v);
      json.append(separator).append(JSON.getNodeFactory().textNode(metric.getKey())).append(':').append(number);
      separator = ",";
    }
    return json.append("}}").toString().getBytes(StandardCharsets.UTF_8);
  }

  static Stream<Arguments> brokenRules() {
    Map<String, Double> tooManyMetrics = new HashMap<>();
    Map<String, String> tooManyAttrs = new HashMap<>();
    for (int i = 0; i <= ReadingParser.MAX_METRICS; i++) {
      tooManyMetrics.put("m" + i, 1.0);
    }
    for (int i = 0; i <= ReadingParser.MAX_ATTRS; i++) {
      tooManyAttrs.put("a" + i, "v");
    }
    return Stream.of(
        rule("missing entityType", b -> b.clearEntityType(), "bad-id", "missing entityType"),
        rule("missing entityId", b -> b.clearEntityId(), "bad-id", "missing entityId"),
        rule("missing ts", b -> b.clearTs(), "bad-time", "missing ts"),
        rule("unknown type", b -> b.setEntityType("robot"), "unknown-type", "unknown entity type robot"),
        rule("id grammar", b -> b.setEntityId("bad id!"), "bad-id", "entity id must be"),
        rule("id length", b -> b.setEntityId("x".repeat(129)), "bad-id", "entity id must be"),
        rule("negative time", b -> b.setTs(-1), "bad-time", "event time must not be negative"),
        rule("future time", b -> b.setTs(NOW + 600_001), "bad-time", "event time 1700000700001 is more than PT10M ahead"),
        rule("infinite metric", b -> b.putMetrics("t", Double.POSITIVE_INFINITY), "bad-metric", "metric t must be finite"),
        rule("huge metric", b -> b.putMetrics("t", -2e15), "bad-metric", "metric t exceeds the magnitude limit"),
        rule("metric name", b -> b.putMetrics("bad name", 1), "bad-metric", "metric name must be"),
        rule("too many metrics", b -> b.putAllMetrics(tooManyMetrics), "too-large", "67 metrics exceed the limit of 64"),
        rule("too many attributes", b -> b.putAllAttrs(tooManyAttrs), "too-large", "34 attributes exceed the limit of 32"),
        rule("event name", b -> b.setEvent("no spaces"), "invalid-field", "event name must be"),
        rule("empty event", b -> b.setEvent(""), "invalid-field", "event name must be"));
  }

  private static Arguments rule(
      String name, Consumer<ReadingProtos.Reading.Builder> breakIt, String category, String reasonStart) {
    ReadingProtos.Reading.Builder message = valid();
    breakIt.accept(message);
    return Arguments.of(name, message.build(), category, reasonStart);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("brokenRules")
  void rejectsABrokenRuleWithTheReasonJsonGets(
      String rule, ReadingProtos.Reading message, String category, String reasonStart) {
    var fromJson = assertInstanceOf(ParseResult.Rejected.class, parser.parse(json(message)));
    var fromProtobuf = assertInstanceOf(ParseResult.Rejected.class, parser.parse(message.toByteArray()));

    assertTrue(fromJson.reason().startsWith(reasonStart), () -> "JSON's reason was: " + fromJson.reason());
    assertEquals(category, fromJson.category().label());
    assertEquals(fromJson, fromProtobuf);
  }

  @Test
  void rejectsANotANumberMetricAsNotFinite() {
    byte[] value = valid().putMetrics("t", Double.NaN).build().toByteArray();

    var rejected = assertInstanceOf(ParseResult.Rejected.class, parser.parse(value));

    assertEquals("metric t must be finite, got NaN", rejected.reason());
  }

  @Test
  void rejectsBytesThatAreNoReadingWithAReadableReason() {
    byte[] whole = valid().build().toByteArray();
    byte[] truncated = Arrays.copyOf(whole, whole.length - 3);
    byte[] badUtf8 = {0x0A, 0x02, (byte) 0xC3, (byte) 0x28};

    var cut = assertInstanceOf(ParseResult.Rejected.class, parser.parse(truncated));
    var notUtf8 = assertInstanceOf(ParseResult.Rejected.class, parser.parse(badUtf8));

    assertEquals("invalid-protobuf", cut.category().label());
    assertTrue(cut.reason().startsWith("invalid protobuf Reading: "), cut.reason());
    assertTrue(cut.reason().contains("ended unexpectedly"), cut.reason());
    assertEquals("invalid-protobuf", notUtf8.category().label());
    assertTrue(notUtf8.reason().contains("UTF-8"), notUtf8.reason());
  }

  @Test
  void rejectsEmptyAndOversizeRecordsAsJsonDoes() {
    byte[] oversize = valid().putAttrs("note", "x".repeat(ReadingParser.MAX_RECORD_BYTES)).build().toByteArray();

    assertEquals(parser.parse(new byte[0]), parser.parseAs(new byte[0], ReadingFormat.PROTOBUF));
    var tooLarge = assertInstanceOf(ParseResult.Rejected.class, parser.parse(oversize));
    assertEquals("too-large", tooLarge.category().label());
    assertTrue(tooLarge.reason().contains("exceeds the limit of " + ReadingParser.MAX_RECORD_BYTES), tooLarge.reason());
  }

  @Test
  void parsesTheCanonicalReadingAsJsonDoes() {
    ReadingProtos.Reading message = valid().build();

    Reading fromProtobuf = assertInstanceOf(ParseResult.Parsed.class, parser.parse(message.toByteArray())).reading();

    assertEquals(
        new Reading("sensor", "sensor-00042", 1_700_000_000_123L, Map.of("temperature", 21.37, "humidity", 40.1),
            "reading", Map.of("site", "plant-1")),
        fromProtobuf);
    assertEquals(parser.parse(json(message)), parser.parse(message.toByteArray()));
  }

  @Test
  void readsEveryRandomReadingAlikeFromEitherFormatWithoutAHeader() {
    Random random = new Random(19);
    String[] types = TYPES.toArray(String[]::new);
    Arrays.sort(types);
    for (int i = 0; i < 2_000; i++) {
      Map<String, Double> metrics = new HashMap<>();
      for (int m = random.nextInt(5); m > 0; m--) {
        metrics.put("m" + random.nextInt(100), Math.round(random.nextGaussian() * 1e6) / 100.0);
      }
      Map<String, String> attrs = random.nextBoolean() ? Map.of() : Map.of("site", "plant-" + random.nextInt(9));
      Reading reading = new Reading(
          types[random.nextInt(types.length)], "e-" + random.nextInt(1000), random.nextLong(NOW), metrics,
          random.nextBoolean() ? null : "click", attrs);
      byte[] protobuf = ProtobufReadings.encode(reading);
      byte[] json = json(ProtobufReadings.toMessage(reading));

      assertEquals(ReadingFormat.PROTOBUF, ReadingFormat.sniff(protobuf), reading::toString);
      assertEquals(ReadingFormat.JSON, ReadingFormat.sniff(json), reading::toString);
      assertEquals(new ParseResult.Parsed(reading), parser.parse(protobuf));
      assertEquals(new ParseResult.Parsed(reading), parser.parse(json));
    }
  }
}
