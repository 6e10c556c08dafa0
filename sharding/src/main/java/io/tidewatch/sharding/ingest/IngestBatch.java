package io.tidewatch.sharding.ingest;

import io.tidewatch.persistence.pipeline.Pipeline;
import io.tidewatch.persistence.pipeline.PipelineResult;
import io.tidewatch.protocol.EntityProtocol.SourcedReading;
import io.tidewatch.protocol.ParseResult;
import io.tidewatch.protocol.ReadingFormat;
import io.tidewatch.protocol.ReadingParser;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * One batch of consumed records, parsed (JSON or protobuf, as each record's {@code content-type} header or first
 * bytes say), run through their type's pipeline, and split: the valid readings grouped per entity (in consumption
 * order, so one ask and one journal write carry all of an entity's readings), the rejected records with reasons,
 * and the readings a pipeline filtered (acknowledged with the batch, never sent to an entity).
 */
public record IngestBatch(
    Map<EntityRef, List<SourcedReading>> readingsByEntity, List<Rejected> rejected, List<Filtered> filtered) {

  /** Type and id of one entity. */
  public record EntityRef(String type, String id) {}

  /** A record that goes to the dead-letter topic, and why. */
  public record Rejected(ConsumerRecord<String, byte[]> record, String reason, String category) {}

  /** A reading a {@code filter} step of its type's pipeline dropped. */
  public record Filtered(String type, String step) {}

  static final String PIPELINE_CATEGORY = "pipeline";

  public static IngestBatch of(List<ConsumerRecord<String, byte[]>> records, ReadingParser parser) {
    return of(records, parser, Map.of());
  }

  /** {@code pipelines} by entity type; a type without one has its readings as parsed. */
  public static IngestBatch of(
      List<ConsumerRecord<String, byte[]>> records, ReadingParser parser, Map<String, Pipeline> pipelines) {
    Map<EntityRef, List<SourcedReading>> byEntity = new LinkedHashMap<>();
    List<Rejected> rejected = new ArrayList<>();
    List<Filtered> filtered = new ArrayList<>(0);
    for (ConsumerRecord<String, byte[]> record : records) {
      ParseResult result = parser.parse(record.value(), contentType(record));
      if (result instanceof ParseResult.Parsed parsed) {
        var reading = parsed.reading();
        Pipeline pipeline = pipelines.get(reading.entityType());
        if (pipeline != null) {
          PipelineResult outcome = pipeline.apply(reading);
          if (outcome instanceof PipelineResult.Filtered f) {
            filtered.add(new Filtered(reading.entityType(), f.step()));
            continue;
          } else if (outcome instanceof PipelineResult.DeadLetter d) {
            rejected.add(new Rejected(record, d.reason(), PIPELINE_CATEGORY));
            continue;
          }
          reading = ((PipelineResult.Kept) outcome).reading();
        }
        byEntity
            .computeIfAbsent(new EntityRef(reading.entityType(), reading.entityId()), k -> new ArrayList<>())
            .add(SourcedReading.of(reading, record.partition(), record.offset()));
      } else if (result instanceof ParseResult.Rejected r) {
        rejected.add(new Rejected(record, r.reason(), r.category().label()));
      }
    }
    return new IngestBatch(byEntity, rejected, filtered);
  }

  /** The record's {@code content-type} header, which names its format (JSON or protobuf); null when it has none. */
  static String contentType(ConsumerRecord<String, byte[]> record) {
    Header header = record.headers().lastHeader(ReadingFormat.CONTENT_TYPE_HEADER);
    return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }
}
