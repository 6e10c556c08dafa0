package io.tidewatch.node.simulate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidewatch.protocol.ParseResult;
import io.tidewatch.protocol.Reading;
import io.tidewatch.protocol.ReadingParser;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReadingGeneratorTest {

  private static final long NOW = 1_800_000_000_000L;
  private final ReadingParser parser = new ReadingParser(Set.of("sensor", "user"), Duration.ofDays(1), () -> NOW);

  private Reading parse(String json) {
    return assertInstanceOf(ParseResult.Parsed.class, parser.parse(json.getBytes(StandardCharsets.UTF_8))).reading();
  }

  @Test
  void producesValidReadingsForEverySensorAndUserInTurn() {
    var generator = new ReadingGenerator(new SimulatorSettings("b", "t", 3, 2, 100, 0, 0, 0, 0, 7));
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 5; i++) {
      String[] keyAndValue = generator.next(NOW);
      Reading reading = parse(keyAndValue[1]);
      assertEquals(keyAndValue[0], reading.entityId(), "the record key is the entity id");
      assertEquals(NOW, reading.ts());
      ids.add(reading.entityId());
    }
    assertEquals(Set.of("sensor-00000", "sensor-00001", "sensor-00002", "user-00000", "user-00001"), ids);
  }

  @Test
  void veryLateReadingsLagByTheirDelayAndDisorderStaysWithinItsBound() {
    var late = new ReadingGenerator(new SimulatorSettings("b", "t", 1, 0, 100, 0, 0, 1.0, 90_000, 7));
    assertEquals(NOW - 90_000, parse(late.next(NOW)[1]).ts());

    var disordered = new ReadingGenerator(new SimulatorSettings("b", "t", 1, 0, 100, 0, 2_000, 0, 0, 7));
    for (int i = 0; i < 100; i++) {
      long ts = parse(disordered.next(NOW)[1]).ts();
      assertTrue(ts <= NOW && ts > NOW - 2_000, "within 2 s behind: " + ts);
    }
  }
}
