package io.tidewatch.node.simulate;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidewatch.protocol.ProtobufReadings;
import io.tidewatch.protocol.Reading;
import io.tidewatch.protocol.ReadingFormat;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A reading as an input record in the format a producer chose: canonical JSON without a header, as producers have
 * always sent it, or a protobuf Reading with the {@code content-type} header that names it (the ingest would tell it
 * by its first byte too; the header is what a well-behaved producer sends).
 */
public final class ReadingRecords {

  /** The record's field names are the canonical JSON's; an absent event is left out. */
  private static final ObjectMapper JSON =
      new ObjectMapper().setSerializationInclusion(JsonInclude.Include.NON_NULL);
  private static final byte[] PROTOBUF_CONTENT_TYPE =
      ReadingFormat.PROTOBUF.mediaType().getBytes(StandardCharsets.UTF_8);

  private ReadingRecords() {}

  public static ProducerRecord<String, byte[]> of(String topic, Reading reading, ReadingFormat format) {
    return of(topic, reading.entityId(), value(reading, format), format);
  }

  /** A record of bytes already in {@code format}. */
  public static ProducerRecord<String, byte[]> of(String topic, String entityId, byte[] value, ReadingFormat format) {
    var record = new ProducerRecord<>(topic, entityId, value);
    if (format == ReadingFormat.PROTOBUF) {
      record.headers().add(ReadingFormat.CONTENT_TYPE_HEADER, PROTOBUF_CONTENT_TYPE);
    }
    return record;
  }

  public static byte[] value(Reading reading, ReadingFormat format) {
    if (format == ReadingFormat.PROTOBUF) {
      return ProtobufReadings.encode(reading);
    }
    try {
      return JSON.writeValueAsBytes(reading);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a reading always serializes", e);
    }
  }
}
