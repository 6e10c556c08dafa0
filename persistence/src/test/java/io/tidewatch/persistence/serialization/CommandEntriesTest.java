package io.tidewatch.persistence.serialization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import io.tidewatch.protocol.EntityProtocol.AnomalyDetected;
import io.tidewatch.protocol.EntityProtocol.CommandJournaled;
import io.tidewatch.protocol.EntityProtocol.DuplicatesIgnored;
import io.tidewatch.protocol.EntityProtocol.EntityRegistered;
import io.tidewatch.protocol.EntityProtocol.IdleTimeAdvanced;
import io.tidewatch.protocol.EntityProtocol.ReadingsRecorded;
import io.tidewatch.protocol.EntityProtocol.SourcedReading;
import io.tidewatch.protocol.EntityProtocol.WindowClosed;
import io.tidewatch.protocol.MetricAggregate;
import io.tidewatch.protocol.Severity;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CommandEntriesTest {

  private static final ObjectMapper JOURNAL = new ObjectMapper(new CBORFactory()).registerModule(new JournalFormats());
  private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JournalFormats());

  private static final CommandJournaled COMMAND = new CommandJournaled(List.of(
      new EntityRegistered(1_700_000_000_500L),
      new ReadingsRecorded("tidewatch.readings", List.of(
          new SourcedReading(1_700_000_059_000L, Map.of("temperature", 21.5), null, Map.of(), 2, 41),
          new SourcedReading(1_700_000_061_000L, Map.of("temperature", 36.2), "spike", Map.of("site", "a"), 2, 42))),
      new AnomalyDetected("s1:3", "delta", "temperature", 36.2, 21.5, 5.0, 1_700_000_061_000L, 1_700_000_000_600L,
          Severity.CRITICAL),
      new WindowClosed("tumbling-60s", 1_700_000_000_000L, 1_700_000_060_000L, 1,
          Map.of("temperature", new MetricAggregate(1, 21.5, 21.5, 21.5, 21.5, 0)), Map.of()),
      new DuplicatesIgnored(3),
      new IdleTimeAdvanced(1_700_000_200_000L)));

  @Test
  void readsBackEveryKindOfEntryInItsOrder() throws IOException {
    assertEquals(COMMAND, JOURNAL.readValue(JOURNAL.writeValueAsBytes(COMMAND), CommandJournaled.class));
  }

  @Test
  void namesEachEntryAndKeepsReadingsInColumns() throws IOException {
    JsonNode entries = JSON.readTree(JSON.writeValueAsBytes(COMMAND)).get("entries");
    assertEquals(6, entries.size());
    assertEquals("EntityRegistered", entries.get(0).get(0).asText());
    assertEquals("ReadingsRecorded", entries.get(1).get(0).asText());
    assertTrue(entries.get(1).get(1).get("ts").isArray(), "readings in columns: " + entries.get(1));
    assertEquals("s1:3", entries.get(2).get(1).get("alertId").asText());
    assertEquals("IdleTimeAdvanced", entries.get(5).get(0).asText());
  }

  @Test
  void refusesAnEntryOfAnUnknownKind() {
    byte[] json = "{\"entries\":[[\"EntityRegistered\",{\"firstSeenMs\":1}],[\"Teleported\",{}]]}".getBytes();
    MismatchedInputException e =
        assertThrows(MismatchedInputException.class, () -> JSON.readValue(json, CommandJournaled.class));
    assertTrue(e.getMessage().contains("unknown entry Teleported"), e.getMessage());
  }

  @Test
  void skipsFieldsItDoesNotKnowAndRefusesARowOfLessThanTwoEntries() throws IOException {
    byte[] later = "{\"version\":{\"of\":[1]},\"entries\":[[\"EntityRegistered\",{\"firstSeenMs\":1}],[\"DuplicatesIgnored\",{\"count\":2}]],\"note\":\"x\"}".getBytes();
    assertEquals(new CommandJournaled(List.of(new EntityRegistered(1), new DuplicatesIgnored(2))),
        JSON.readValue(later, CommandJournaled.class));
    for (String bad : List.of("{}", "{\"entries\":[]}", "{\"entries\":[[\"DuplicatesIgnored\",{\"count\":2}]]}")) {
      MismatchedInputException e =
          assertThrows(MismatchedInputException.class, () -> JSON.readValue(bad.getBytes(), CommandJournaled.class));
      assertTrue(e.getMessage().contains("two or more entries"), e.getMessage());
    }
  }

  @Test
  void aCommandOfOneEntryJournalsThatEntryAlone() {
    var only = new DuplicatesIgnored(2);
    assertEquals(only, CommandJournaled.of(List.of(only)));
    assertThrows(IllegalArgumentException.class, () -> new CommandJournaled(List.of(COMMAND, only)));
  }
}
