package io.tidewatch.sharding.ingest;

import io.tidewatch.protocol.ReadingFormat;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.pekko.kafka.javadsl.SendProducer;

/**
 * Sends a rejected input record to the dead-letter topic with its original key and bytes, and the headers
 * {@code tidewatch-error} (why) and {@code tidewatch-source} (topic/partition/offset) of DESIGN §2, plus the
 * record's own {@code content-type} if it had one. A value over 512 KiB is cut to that size, with its original
 * length in {@code tidewatch-truncated}.
 */
public final class DeadLetterPublisher {

  public static final String ERROR_HEADER = "tidewatch-error";
  public static final String SOURCE_HEADER = "tidewatch-source";
  public static final String TRUNCATED_HEADER = "tidewatch-truncated";
  /** Kept well under the producer's 1 MiB request limit, so that a dead letter itself is never too large. */
  static final int MAX_VALUE_BYTES = 512 * 1024;

  private final SendProducer<String, byte[]> producer;
  private final String topic;

  public DeadLetterPublisher(SendProducer<String, byte[]> producer, String topic) {
    this.producer = producer;
    this.topic = topic;
  }

  public CompletionStage<RecordMetadata> publish(ConsumerRecord<String, byte[]> rejected, String reason) {
    byte[] value = rejected.value();
    boolean truncate = value != null && value.length > MAX_VALUE_BYTES;
    ProducerRecord<String, byte[]> record =
        new ProducerRecord<>(topic, rejected.key(), truncate ? Arrays.copyOf(value, MAX_VALUE_BYTES) : value);
    record.headers().add(ERROR_HEADER, reason.getBytes(StandardCharsets.UTF_8));
    if (truncate) {
      record.headers().add(TRUNCATED_HEADER, String.valueOf(value.length).getBytes(StandardCharsets.UTF_8));
    }
    String source = rejected.topic() + "/" + rejected.partition() + "/" + rejected.offset();
    record.headers().add(SOURCE_HEADER, source.getBytes(StandardCharsets.UTF_8));
    Header contentType = rejected.headers().lastHeader(ReadingFormat.CONTENT_TYPE_HEADER);
    if (contentType != null) { // whoever reads the dead letter needs it to decode the bytes
      record.headers().add(contentType);
    }
    return producer.send(record);
  }
}
