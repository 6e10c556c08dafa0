package io.tidewatch.sharding.ingest;

import io.tidewatch.protocol.EntityProtocol.SourcedReading;
import io.tidewatch.protocol.ParseResult;
import io.tidewatch.protocol.ReadingParser;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * One batch of consumed records, parsed and split: the valid readings grouped per entity (in consumption order,
 * so one ask and one journal write carry all of an entity's readings), and the rejected records with reasons.
 */
public record IngestBatch(
    Map<EntityRef, List<SourcedReading>> readingsByEntity, List<Rejected> rejected) {

  /** Type and id of one entity. */
  public record EntityRef(String type, String id) {}

  /** A record that goes to the dead-letter topic, and why. */
  public record Rejected(ConsumerRecord<String, byte[]> record, String reason, String category) {}

  public static IngestBatch of(List<ConsumerRecord<String, byte[]>> records, ReadingParser parser) {
    Map<EntityRef, List<SourcedReading>> byEntity = new LinkedHashMap<>();
    List<Rejected> rejected = new ArrayList<>();
    for (ConsumerRecord<String, byte[]> record : records) {
      ParseResult result = parser.parse(record.value());
      if (result instanceof ParseResult.Parsed parsed) {
        var reading = parsed.reading();
        byEntity
            .computeIfAbsent(new EntityRef(reading.entityType(), reading.entityId()), k -> new ArrayList<>())
            .add(SourcedReading.of(reading, record.partition(), record.offset()));
      } else if (result instanceof ParseResult.Rejected r) {
        rejected.add(new Rejected(record, r.reason(), r.category().label()));
      }
    }
    return new IngestBatch(byEntity, rejected);
  }
}
