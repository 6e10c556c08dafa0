package io.tidewatch.sharding.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidewatch.protocol.EntityProtocol.SourcedReading;
import io.tidewatch.protocol.ReadingParser;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class IngestBatchTest {

  private static ConsumerRecord<String, byte[]> record(int partition, long offset, String json) {
    return new ConsumerRecord<>("tidewatch.readings", partition, offset, "k", json.getBytes(StandardCharsets.UTF_8));
  }

  private static String reading(String id, long ts) {
    return "{\"entityType\":\"sensor\",\"entityId\":\"" + id + "\",\"ts\":" + ts + ",\"metrics\":{\"t\":1}}";
  }

  @Test
  void groupsReadingsPerEntityInConsumptionOrderAndKeepsTheirOffsets() {
    IngestBatch batch =
        IngestBatch.of(
            List.of(
                record(0, 5, reading("a", 3)),
                record(1, 9, reading("b", 1)),
                record(0, 6, "{oops"),
                record(0, 7, reading("a", 2))),
            new ReadingParser(Set.of("sensor")));

    List<SourcedReading> a = batch.readingsByEntity().get(new IngestBatch.EntityRef("sensor", "a"));
    assertEquals(List.of(5L, 7L), a.stream().map(SourcedReading::offset).toList());
    assertEquals(List.of(3L, 2L), a.stream().map(SourcedReading::ts).toList());
    assertEquals(1, batch.readingsByEntity().get(new IngestBatch.EntityRef("sensor", "b")).size());
    assertEquals(1, batch.rejected().size());
    assertEquals(6, batch.rejected().get(0).record().offset());
    assertTrue(batch.rejected().get(0).reason().startsWith("invalid JSON"));
  }
}
