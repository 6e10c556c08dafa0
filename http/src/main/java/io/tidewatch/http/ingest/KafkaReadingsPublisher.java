package io.tidewatch.http.ingest;

import com.typesafe.config.Config;
import io.tidewatch.protocol.ReadingFormat;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.kafka.ProducerSettings;

/**
 * Produces posted readings to the input topic with the entity id as key (so they land in its partition), in the
 * order they were posted, each in the format it was posted in. The sends happen one after the other on a single thread: connectors-kafka's
 * {@code SendProducer} hands each send to the dispatcher separately, which can reorder the readings of one request
 * and make some of them late. That thread also takes the Kafka client's blocking (metadata, a full buffer) off the
 * HTTP server's threads.
 */
public final class KafkaReadingsPublisher implements ReadingsPublisher {

  private static final int QUEUED_REQUESTS = 16;
  private static final byte[] PROTOBUF_CONTENT_TYPE =
      ReadingFormat.PROTOBUF.mediaType().getBytes(StandardCharsets.UTF_8);

  private final Producer<String, byte[]> producer;
  private final ExecutorService sender;
  private final String topic;

  private KafkaReadingsPublisher(Producer<String, byte[]> producer, ExecutorService sender, String topic) {
    this.producer = producer;
    this.sender = sender;
    this.topic = topic;
  }

  public static KafkaReadingsPublisher create(ActorSystem<?> system) {
    Config config = system.settings().config();
    Producer<String, byte[]> producer =
        ProducerSettings.create(
                config.getConfig("tidewatch.http.readings-producer"), new StringSerializer(), new ByteArraySerializer())
            .createKafkaProducer();
    // One thread keeps the order; a short queue makes a stuck broker answer 503 at once rather than pile up bodies.
    ExecutorService sender =
        new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUED_REQUESTS), r -> {
          Thread thread = new Thread(r, "tidewatch-readings-producer");
          thread.setDaemon(true);
          return thread;
        });
    CoordinatedShutdown.get(system)
        .addTask(
            CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
            "tidewatch-http-readings-producer",
            () -> CompletableFuture.supplyAsync(() -> {
              sender.shutdown();
              producer.close(Duration.ofSeconds(5));
              return Done.getInstance();
            }));
    return new KafkaReadingsPublisher(producer, sender, config.getString("tidewatch.ingest.topic"));
  }

  @Override
  public CompletionStage<Done> publish(List<KeyedReading> readings) {
    try {
      return CompletableFuture.supplyAsync(() -> send(readings), sender)
          .thenCompose(all -> all)
          .thenApply(x -> Done.getInstance());
    } catch (RejectedExecutionException e) {
      return CompletableFuture.failedFuture(
          new IllegalStateException("too many posts are waiting for the broker (or the node is stopping)", e));
    }
  }

  /** Sends in order; stops at the first failure (the broker is not taking records, the rest would wait in vain). */
  private CompletableFuture<Void> send(List<KeyedReading> readings) {
    CompletableFuture<?>[] acks = new CompletableFuture<?>[readings.size()];
    for (int i = 0; i < readings.size(); i++) {
      KeyedReading reading = readings.get(i);
      CompletableFuture<Void> ack = new CompletableFuture<>();
      try {
        producer.send(record(reading), (metadata, failure) -> {
          if (failure != null) {
            ack.completeExceptionally(failure);
          } else {
            ack.complete(null);
          }
        });
      } catch (RuntimeException e) { // e.g. the producer is closed
        ack.completeExceptionally(e);
      }
      acks[i] = ack;
      if (ack.isCompletedExceptionally()) {
        return ack;
      }
    }
    return CompletableFuture.allOf(acks);
  }

  /**
   * Protobuf readings go on as the bytes that were posted, with the header that names their format: no re-encoding
   * (what was validated is what the ingest reads, and a dead letter holds what the client sent), and the compact
   * form the client chose stays compact on the broker. JSON goes without a header, as before.
   */
  private ProducerRecord<String, byte[]> record(KeyedReading reading) {
    var record = new ProducerRecord<>(topic, reading.entityId(), reading.value());
    if (reading.format() == ReadingFormat.PROTOBUF) {
      record.headers().add(ReadingFormat.CONTENT_TYPE_HEADER, PROTOBUF_CONTENT_TYPE);
    }
    return record;
  }
}
