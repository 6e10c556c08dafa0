package io.tidewatch.sharding.ingest;

import com.typesafe.config.Config;
import java.time.Duration;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.kafka.CommitterSettings;
import org.apache.pekko.kafka.ConsumerSettings;
import org.apache.pekko.kafka.ProducerSettings;
import org.apache.pekko.stream.RestartSettings;

/** The {@code tidewatch.ingest} block and the Kafka client settings of the ingest stream, read once. */
public record IngestSettings(
    String topic,
    String deadLetterTopic,
    int batchSize,
    Duration batchWindow,
    Duration backlogBatchWindow,
    long backlogLag,
    int parallelism,
    int askParallelism,
    int maxReadingsPerCommand,
    Duration askTimeout,
    Duration resendAfterMemberRemoved,
    Duration maxFutureSkew,
    RestartSettings restart,
    ConsumerSettings<String, byte[]> consumer,
    ProducerSettings<String, byte[]> producer,
    CommitterSettings committer) {

  public static IngestSettings create(ActorSystem<?> system) {
    Config config = system.settings().config();
    Config ingest = config.getConfig("tidewatch.ingest");
    Config restart = ingest.getConfig("restart");
    return new IngestSettings(
        ingest.getString("topic"),
        ingest.getString("dead-letter-topic"),
        ingest.getInt("batch-size"),
        ingest.getDuration("batch-window"),
        ingest.getDuration("backlog-batch-window"),
        ingest.getLong("backlog-lag"),
        ingest.getInt("parallelism"),
        ingest.getInt("ask-parallelism"),
        ingest.getInt("max-readings-per-command"),
        ingest.getDuration("ask-timeout"),
        ingest.getDuration("resend-after-member-removed"),
        ingest.getDuration("max-future-skew"),
        RestartSettings.create(
            restart.getDuration("min-backoff"),
            restart.getDuration("max-backoff"),
            restart.getDouble("random-factor")),
        ConsumerSettings.create(
            config.getConfig("tidewatch.kafka-consumer"), new StringDeserializer(), new ByteArrayDeserializer()),
        ProducerSettings.create(
            config.getConfig("tidewatch.kafka-producer"), new StringSerializer(), new ByteArraySerializer()),
        CommitterSettings.create(config.getConfig("tidewatch.kafka-committer")));
  }
}
