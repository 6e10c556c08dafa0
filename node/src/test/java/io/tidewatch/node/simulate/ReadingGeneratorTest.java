package io.tidewatch.node.simulate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidewatch.protocol.ParseResult;
import io.tidewatch.protocol.Reading;
import io.tidewatch.protocol.ReadingFormat;
import io.tidewatch.protocol.ReadingParser;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class ReadingGeneratorTest {

  private static final long NOW = 1_800_000_000_000L;
  private final ReadingParser parser = new ReadingParser(Set.of("sensor", "user"), Duration.ofDays(1), () -> NOW);

  /** What the ingest makes of the record: parsed by its header and bytes, as a Kafka record is. */
  private Reading ingested(ProducerRecord<String, byte[]> record) {
    var header = record.headers().lastHeader(ReadingFormat.CONTENT_TYPE_HEADER);
    String contentType = header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    return assertInstanceOf(ParseResult.Parsed.class, parser.parse(record.value(), contentType)).reading();
  }

  @Test
  void producesValidReadingsForEverySensorAndUserInTurnInEitherFormat() {
    var generator = new ReadingGenerator(new SimulatorSettings("b", "t", 3, 2, 100, 0, 0, 0, 0, 7));
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 5; i++) {
      Reading reading = generator.next(NOW);
      var json = ReadingRecords.of("t", reading, ReadingFormat.JSON);
      var protobuf = ReadingRecords.of("t", reading, ReadingFormat.PROTOBUF);

      assertEquals(reading, ingested(json));
      assertEquals(reading, ingested(protobuf));
      assertEquals(reading.entityId(), json.key(), "the record key is the entity id");
      assertNull(json.headers().lastHeader(ReadingFormat.CONTENT_TYPE_HEADER), "JSON goes as it always went");
      assertEquals(NOW, reading.ts());
      ids.add(reading.entityId());
    }
    assertEquals(Set.of("sensor-00000", "sensor-00001", "sensor-00002", "user-00000", "user-00001"), ids);
  }

  @Test
  void veryLateReadingsLagByTheirDelayAndDisorderStaysWithinItsBound() {
    var late = new ReadingGenerator(new SimulatorSettings("b", "t", 1, 0, 100, 0, 0, 1.0, 90_000, 7));
    assertEquals(NOW - 90_000, late.next(NOW).ts());

    var disordered = new ReadingGenerator(new SimulatorSettings("b", "t", 1, 0, 100, 0, 2_000, 0, 0, 7));
    for (int i = 0; i < 100; i++) {
      long ts = disordered.next(NOW).ts();
      assertTrue(ts <= NOW && ts > NOW - 2_000, "within 2 s behind: " + ts);
    }
  }
}
