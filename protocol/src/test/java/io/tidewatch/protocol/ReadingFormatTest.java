package io.tidewatch.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReadingFormatTest {

  private static final byte[] PROTOBUF_READING =
      ProtobufReadings.encode(new Reading("sensor", "s1", 5, Map.of("t", 1.0), null, Map.of()));

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aContentTypeHeaderDecidesWhateverTheBytes() {
    assertEquals(ReadingFormat.PROTOBUF, ReadingFormat.of(utf8("{\"entityType\":\"sensor\"}"), "application/x-protobuf"));
    assertEquals(ReadingFormat.PROTOBUF, ReadingFormat.of(utf8("{}"), "Application/X-Protobuf; proto=tidewatch.v1.Reading"));
    assertEquals(ReadingFormat.JSON, ReadingFormat.of(PROTOBUF_READING, "application/json; charset=utf-8"));
  }

  @Test
  void withoutAHeaderOrWithAnotherOneTheFirstBytesDecide() {
    assertEquals(ReadingFormat.PROTOBUF, ReadingFormat.of(PROTOBUF_READING, null));
    assertEquals(ReadingFormat.PROTOBUF, ReadingFormat.of(PROTOBUF_READING, "text/plain"));
    assertEquals(ReadingFormat.JSON, ReadingFormat.of(utf8("{\"entityType\":\"sensor\"}"), "text/plain"));
    assertNull(ReadingFormat.ofContentType("text/plain"));
  }

  @Test
  void takesJsonLedByWhitespaceIncludingALineFeedForJson() {
    assertEquals(ReadingFormat.JSON, ReadingFormat.sniff(utf8("\n{\"entityType\":\"sensor\"}")));
    assertEquals(ReadingFormat.JSON, ReadingFormat.sniff(utf8("\r\n\t {}")));
    assertEquals(ReadingFormat.JSON, ReadingFormat.sniff(utf8("\n[1]")));
    assertEquals(ReadingFormat.JSON, ReadingFormat.sniff(utf8(" {}")));
  }

  @Test
  void leavesRecordsThatStartPrintableToJsonSoTheirReasonStaysAJsonOne() {
    assertEquals(ReadingFormat.JSON, ReadingFormat.sniff(utf8("not json at all")));
    assertEquals(ReadingFormat.JSON, ReadingFormat.sniff(utf8("[1,2]")));
    assertEquals(ReadingFormat.JSON, ReadingFormat.sniff(new byte[0]));
  }

  @Test
  void takesAReadingWithoutAnEntityTypeForProtobuf() {
    byte[] noType = ProtobufReadings.toMessage(new Reading("sensor", "s1", 5, Map.of(), null, Map.of()))
        .toBuilder().clearEntityType().build().toByteArray();

    assertEquals(0x12, noType[0]);
    assertEquals(ReadingFormat.PROTOBUF, ReadingFormat.sniff(noType));
  }
}
