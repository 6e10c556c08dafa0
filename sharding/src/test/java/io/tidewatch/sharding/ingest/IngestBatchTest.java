package io.tidewatch.sharding.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.tidewatch.persistence.pipeline.Pipeline;
import io.tidewatch.protocol.EntityProtocol.SourcedReading;
import io.tidewatch.protocol.ProtobufReadings;
import io.tidewatch.protocol.Reading;
import io.tidewatch.protocol.ReadingFormat;
import io.tidewatch.protocol.ReadingParser;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
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

  @Test
  void readsProtobufRecordsByTheirHeaderOrTheirFirstByteAndDeadLettersBrokenOnes() {
    byte[] protobuf = ProtobufReadings.encode(new Reading("sensor", "a", 3, Map.of("t", 1.0), null, Map.of()));
    var withHeader = new ConsumerRecord<>("tidewatch.readings", 0, 1, "a", protobuf);
    withHeader.headers().add(ReadingFormat.CONTENT_TYPE_HEADER, "application/x-protobuf".getBytes(StandardCharsets.UTF_8));
    var sniffed = new ConsumerRecord<>("tidewatch.readings", 0, 2, "a", protobuf);
    var broken = new ConsumerRecord<>("tidewatch.readings", 0, 3, "a", Arrays.copyOf(protobuf, protobuf.length - 1));

    IngestBatch batch = IngestBatch.of(
        List.of(record(0, 0, reading("a", 3)), withHeader, sniffed, broken), new ReadingParser(Set.of("sensor")));

    List<SourcedReading> a = batch.readingsByEntity().get(new IngestBatch.EntityRef("sensor", "a"));
    assertEquals(List.of(0L, 1L, 2L), a.stream().map(SourcedReading::offset).toList());
    assertEquals(1, a.stream().map(r -> List.of(r.ts(), r.metrics(), r.attrs())).distinct().count(), "one content, three records");
    assertEquals(1, batch.rejected().size());
    assertEquals("invalid-protobuf", batch.rejected().get(0).category());
    assertTrue(batch.rejected().get(0).reason().startsWith("invalid protobuf Reading"), batch.rejected().get(0).reason());
  }

  @Test
  void runsEachTypesPipelineAfterParsingSoDropsAreDeadLetteredOrFilteredAndChangesReachTheEntity() {
    Pipeline pipeline = Pipeline.of(ConfigFactory.parseString("""
        pipeline = [
          { drop-if = "metrics.t > 100.0", action = dead-letter }
          { drop-if = "metrics.t < 0.0", action = filter }
          { convert = t, from = degF, to = degC }
          { derive = t2, expr = "metrics.t * 2.0" } ]""").getConfigList("pipeline"));
    String hot = "{\"entityType\":\"sensor\",\"entityId\":\"a\",\"ts\":1,\"metrics\":{\"t\":101}}";
    String cold = "{\"entityType\":\"sensor\",\"entityId\":\"a\",\"ts\":2,\"metrics\":{\"t\":-1}}";
    String fine = "{\"entityType\":\"sensor\",\"entityId\":\"a\",\"ts\":3,\"metrics\":{\"t\":50}}";

    IngestBatch batch = IngestBatch.of(
        List.of(record(0, 0, hot), record(0, 1, cold), record(0, 2, fine)),
        new ReadingParser(Set.of("sensor")),
        Map.of("sensor", pipeline));

    List<SourcedReading> a = batch.readingsByEntity().get(new IngestBatch.EntityRef("sensor", "a"));
    assertEquals(List.of(2L), a.stream().map(SourcedReading::offset).toList());
    assertEquals(10.0, a.get(0).metrics().get("t"), 1e-9);
    assertEquals(20.0, a.get(0).metrics().get("t2"), 1e-9);
    assertEquals(List.of(new IngestBatch.Filtered("sensor", "1:drop-if")), batch.filtered());
    assertEquals(1, batch.rejected().size());
    assertEquals(0, batch.rejected().get(0).record().offset());
    assertEquals("pipeline", batch.rejected().get(0).category());
    assertEquals("pipeline: 0:drop-if drop-if \"metrics.t > 100.0\" matched", batch.rejected().get(0).reason());
  }
}
