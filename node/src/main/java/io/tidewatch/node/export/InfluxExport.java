package io.tidewatch.node.export;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidewatch.sharding.ingest.DeadLetterPublisher;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.kafka.CommitterSettings;
import org.apache.pekko.kafka.ConsumerMessage;
import org.apache.pekko.kafka.ConsumerMessage.CommittableMessage;
import org.apache.pekko.kafka.ConsumerSettings;
import org.apache.pekko.kafka.ProducerSettings;
import org.apache.pekko.kafka.Subscriptions;
import org.apache.pekko.kafka.javadsl.Committer;
import org.apache.pekko.kafka.javadsl.Consumer;
import org.apache.pekko.kafka.javadsl.SendProducer;
import org.apache.pekko.stream.RestartSettings;
import org.apache.pekko.stream.javadsl.RestartSource;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies the aggregates topic into an InfluxDB 1.x database over its HTTP API, for Grafana and the other tools that
 * read it: batches of records become line-protocol points ({@link InfluxLines}), written before their offsets are
 * committed (at least once; a repeated window overwrites its own point). A record that is not an aggregates record
 * goes to the dead-letter topic with the reason. While InfluxDB does not take a batch, nothing is committed and the
 * stream starts again with backoff from the last commit; points InfluxDB refuses for good in a partial write (its
 * 400) are logged and the rest of the batch goes on, since writing them again cannot succeed.
 */
public final class InfluxExport {

  private static final Logger log = LoggerFactory.getLogger(InfluxExport.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Where to read from and write to. */
  public record Settings(
      String bootstrap, String topic, String group, String deadLetterTopic, String influxUrl, String database,
      int batchSize, Duration batchWindow) {}

  private final ActorSystem<?> system;
  private final Settings settings;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final DeadLetterPublisher deadLetters;

  public InfluxExport(ActorSystem<?> system, Settings settings) {
    this.system = system;
    this.settings = settings;
    ProducerSettings<String, byte[]> producer =
        ProducerSettings.create(system, new StringSerializer(), new ByteArraySerializer())
            .withBootstrapServers(settings.bootstrap());
    this.deadLetters = new DeadLetterPublisher(new SendProducer<>(producer, system), settings.deadLetterTopic());
  }

  /** Runs until the system stops; completes when the stream does. */
  public CompletionStage<Done> run() {
    ConsumerSettings<String, byte[]> consumer =
        ConsumerSettings.create(system, new StringDeserializer(), new ByteArrayDeserializer())
            .withBootstrapServers(settings.bootstrap())
            .withGroupId(settings.group())
            .withProperty(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    CommitterSettings committer = CommitterSettings.create(system);
    RestartSettings restart = RestartSettings.create(Duration.ofSeconds(1), Duration.ofSeconds(30), 0.2);
    return RestartSource.onFailuresWithBackoff(restart, () -> Source.completionStageSource(createDatabase()
            .thenApply(done -> Consumer.committableSource(consumer, Subscriptions.topics(settings.topic()))
                .groupedWithin(settings.batchSize(), settings.batchWindow())
                .mapAsync(1, this::write)
                .via(Committer.flow(committer)))))
        .runWith(Sink.ignore(), system);
  }

  private CompletableFuture<Done> createDatabase() {
    return influx("/query", "q=" + URLEncoder.encode("CREATE DATABASE \"" + settings.database() + "\"", StandardCharsets.UTF_8),
        "application/x-www-form-urlencoded").thenApply(response -> Done.getInstance());
  }

  /** Writes one batch; completes with its offsets once InfluxDB has the points and the dead letters are sent. */
  private CompletionStage<ConsumerMessage.CommittableOffsetBatch> write(List<CommittableMessage<String, byte[]>> batch) {
    StringBuilder body = new StringBuilder(batch.size() * 200);
    List<CompletableFuture<?>> pending = new ArrayList<>();
    ConsumerMessage.CommittableOffsetBatch offsets = ConsumerMessage.emptyCommittableOffsetBatch();
    for (CommittableMessage<String, byte[]> message : batch) {
      offsets = offsets.updated(message.committableOffset());
      ConsumerRecord<String, byte[]> record = message.record();
      try {
        body.append(InfluxLines.line(JSON.readTree(record.value()))).append('\n');
      } catch (Exception e) { // not JSON, or JSON that is not an aggregates record
        String reason = "not an aggregates record: " + e.getMessage();
        log.warn("Dead letter from {}/{}: {}", record.partition(), record.offset(), reason);
        pending.add(deadLetters.publish(record, reason).toCompletableFuture());
      }
    }
    if (body.length() > 0) {
      String path = "/write?db=" + URLEncoder.encode(settings.database(), StandardCharsets.UTF_8) + "&precision=ms";
      pending.add(influx(path, body.toString(), "text/plain; charset=utf-8").exceptionally(failure -> {
        if (failure.getCause() instanceof PartialWrite partial) { // InfluxDB kept the points it could take
          log.error("InfluxDB refused some points of a batch of {} and kept the others: {}", batch.size(), partial.getMessage());
          return null;
        }
        throw new IllegalStateException(failure.getCause());
      }));
    }
    ConsumerMessage.CommittableOffsetBatch committable = offsets;
    return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).thenApply(x -> committable);
  }

  /** InfluxDB's 400 for a batch of which it kept the valid points (a field of another type than before, say). */
  private static final class PartialWrite extends RuntimeException {
    PartialWrite(String message) {
      super(message, null, false, false);
    }
  }

  /** POSTs to InfluxDB; fails on any answer but 2xx, so that the batch is not committed. */
  private CompletableFuture<HttpResponse<String>> influx(String path, String body, String contentType) {
    HttpRequest request = HttpRequest.newBuilder(URI.create(settings.influxUrl() + path))
        .timeout(Duration.ofSeconds(30))
        .header("Content-Type", contentType)
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(response -> {
      if (response.statusCode() == 400 && response.body().contains("partial write")) {
        throw new PartialWrite(response.body());
      }
      if (response.statusCode() / 100 != 2) {
        throw new IllegalStateException("InfluxDB answered " + response.statusCode() + " to " + path + ": " + response.body());
      }
      return response;
    });
  }
}
