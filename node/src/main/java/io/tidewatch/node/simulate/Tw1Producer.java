package io.tidewatch.node.simulate;

import io.tidewatch.protocol.ReadingFormat;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes a TW-1 workload to a topic as fast as the broker takes it (acks=all), keyed by entity id, as JSON or as
 * protobuf ({@link ReadingRecords}).
 */
public final class Tw1Producer {

  private Tw1Producer() {}

  /** @return the number of records the broker acknowledged; fails if any send failed */
  public static long produce(Tw1Workload workload, String bootstrapServers, String topic, ReadingFormat format) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, "65536");
    AtomicLong acknowledged = new AtomicLong();
    AtomicReference<Exception> failure = new AtomicReference<>();
    try (var producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
      workload.forEach(r ->
          producer.send(ReadingRecords.of(topic, r.entityId(), value(r, format), format), (metadata, error) -> {
            if (error != null) {
              failure.compareAndSet(null, error);
            } else {
              acknowledged.incrementAndGet();
            }
          }));
      producer.flush();
    }
    if (failure.get() != null) {
      throw new IllegalStateException("TW-1 was not fully written: " + failure.get().getMessage(), failure.get());
    }
    return acknowledged.get();
  }

  private static byte[] value(Tw1Workload.Tw1Reading reading, ReadingFormat format) {
    return format == ReadingFormat.JSON
        ? reading.json().getBytes(StandardCharsets.UTF_8)
        : ReadingRecords.value(reading.reading(), format);
  }
}
