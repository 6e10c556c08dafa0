package io.tidewatch.persistence.serialization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.fasterxml.jackson.module.paramnames.ParameterNamesModule;
import io.tidewatch.protocol.EntityProtocol.ReadingsRecorded;
import io.tidewatch.protocol.EntityProtocol.SourcedReading;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ReadingsColumnsTest {

  private static final ObjectMapper COLUMNS = new ObjectMapper(new CBORFactory()).registerModule(new JournalFormats());
  private static final ObjectMapper PLAIN = new ObjectMapper(new CBORFactory()).registerModule(new ParameterNamesModule());

  private static ReadingsRecorded roundTrip(ReadingsRecorded event) throws IOException {
    return COLUMNS.readValue(COLUMNS.writeValueAsBytes(event), ReadingsRecorded.class);
  }

  @Test
  void readsBackEveryKindOfReading() throws IOException {
    var event = new ReadingsRecorded("tidewatch.readings", List.of(
        new SourcedReading(1_700_000_000_123L, Map.of("temperature", 21.37, "humidity", 40.1), null, Map.of(), 2, 4711),
        new SourcedReading(1_700_000_000_001L, Map.of(), "click", Map.of("site", "plant-1", "unit", "c"), 0, 12),
        new SourcedReading(0L, Map.of("humidity", -0.0, "x", Double.MAX_VALUE), null, Map.of(), 3, Long.MAX_VALUE),
        new SourcedReading(Long.MAX_VALUE / 2, Map.of("temperature", -1e15), "purchase", Map.of(), 1, 0)));
    assertEquals(event, roundTrip(event));
  }

  @Test
  void readsBackTheConfigurationVersionItNamesAndTheFirstWhenItNamesNone() throws IOException {
    var reading = new SourcedReading(1_700_000_000_123L, Map.of("temperature", 21.0), null, Map.of(), 0, 1);
    var changed = new ReadingsRecorded("t", List.of(reading), 7);
    assertEquals(changed, roundTrip(changed));
    var first = new ReadingsRecorded("t", List.of(reading));
    assertEquals(1, roundTrip(first).configVersion());
    assertTrue(COLUMNS.writeValueAsBytes(first).length < COLUMNS.writeValueAsBytes(changed).length,
        "the first version is left out of the journal's bytes");
  }

  @Test
  void readsBackWhenTheReadingsWereRecordedAndNothingForEventsFromBefore() throws IOException {
    var reading = new SourcedReading(1_700_000_000_123L, Map.of("temperature", 21.0), null, Map.of(), 0, 1);
    var recorded = new ReadingsRecorded("t", List.of(reading), 7, 1_765_000_000_000L);
    assertEquals(recorded, roundTrip(recorded));
    var before = new ReadingsRecorded("t", List.of(reading), 7);
    assertEquals(0, roundTrip(before).recordedAt());
    assertTrue(COLUMNS.writeValueAsBytes(before).length < COLUMNS.writeValueAsBytes(recorded).length,
        "an unknown time is left out of the journal's bytes");
  }

  @Test
  void readsBackAnEventWithoutReadings() throws IOException {
    var event = new ReadingsRecorded("t", List.of());
    assertEquals(event, roundTrip(event));
  }

  @Test
  void readsBackRandomBatches() throws IOException {
    Random random = new Random(7);
    String[] names = {"temperature", "humidity", "pressure", "co2"};
    for (int batch = 0; batch < 500; batch++) {
      List<SourcedReading> readings = new ArrayList<>();
      for (int i = random.nextInt(40); i > 0; i--) {
        Map<String, Double> metrics = new HashMap<>();
        for (int m = random.nextInt(4); m > 0; m--) {
          metrics.put(names[random.nextInt(names.length)], random.nextGaussian() * 1e3);
        }
        readings.add(new SourcedReading(
            1_700_000_000_000L + random.nextInt(1_000_000) - 500_000,
            metrics,
            random.nextInt(5) == 0 ? "click" : null,
            random.nextInt(7) == 0 ? Map.of("k", "v" + i) : Map.of(),
            random.nextInt(8),
            random.nextInt(Integer.MAX_VALUE)));
      }
      var event = new ReadingsRecorded("topic-" + batch, readings);
      assertEquals(event, roundTrip(event));
    }
  }

  @Test
  void takesAFractionOfTheBytesOfOneObjectPerReading() throws IOException {
    List<SourcedReading> readings = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      readings.add(new SourcedReading(1_700_000_000_000L + 1000L * i + (i * 37) % 1000,
          Map.of("temperature", 20 + (i % 30) / 10.0), null, Map.of(), 2, 100_000L + 2500L * i));
    }
    var event = new ReadingsRecorded("tidewatch.readings", readings);
    int columns = COLUMNS.writeValueAsBytes(event).length;
    int objects = PLAIN.writeValueAsBytes(event).length;
    assertTrue(columns * 3 < objects, "columns " + columns + " bytes, objects " + objects + " bytes");
  }

  @Test
  void refusesColumnsOfDifferentLengths() {
    byte[] json = "{\"topic\":\"t\",\"ts\":[1,2],\"partition\":[0],\"offset\":[1,1],\"metricNames\":[],\"metrics\":[[],[]]}"
        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    ObjectMapper jsonColumns = JsonMapper.builder().addModule(new JournalFormats()).build();
    assertThrows(IOException.class, () -> jsonColumns.readValue(json, ReadingsRecorded.class));
  }
}
