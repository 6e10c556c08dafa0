package io.tidewatch.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalInfraIT {

  private static final String READINGS = "tidewatch.readings";
  private static final Set<String> TIDEWATCH_TABLES = Set.of("messages", "metadata", "all_persistence_ids",
      "snapshots", "entity_ids", "entity_windows", "entity_alerts", "entity_buckets", "recent_alerts",
      "failed_notifications", "failed_notification_months", "entity_incidents", "open_incidents",
      "recent_incident_transitions");

  @TempDir Path dataDir;

  @Test
  void keepsKafkaRecordsAndCassandraRowsAcrossRestartOnTheSameDirectory() throws Exception {
    var ports = LocalInfra.Ports.free();
    String reading = "{\"entityType\":\"sensor\",\"entityId\":\"sensor-00001\",\"ts\":1700000000123}";
    String persistenceId = "sensor|it-" + UUID.randomUUID();

    try (LocalInfra infra = LocalInfra.start(dataDir, ports, LocalInfra.DEFAULT_TOPICS)) {
      produce(infra, "sensor-00001", reading);
      assertEquals(List.of(reading), readAll(infra, READINGS));
      try (CqlSession session = infra.cassandra().newSession()) {
        assertEquals(TIDEWATCH_TABLES, tidewatchTables(session));
        session.execute("INSERT INTO tidewatch.metadata (persistence_id, deleted_to) VALUES (?, ?)", persistenceId,
            42L);
      }
    }

    try (LocalInfra infra = LocalInfra.start(dataDir, ports, LocalInfra.DEFAULT_TOPICS)) {
      assertEquals(List.of(reading), readAll(infra, READINGS));
      try (CqlSession session = infra.cassandra().newSession()) {
        Row row = session.execute("SELECT deleted_to FROM tidewatch.metadata WHERE persistence_id = ?", persistenceId)
            .one();
        assertNotNull(row, "row written before the restart");
        assertEquals(42L, row.getLong("deleted_to"));
        assertEquals(TIDEWATCH_TABLES, tidewatchTables(session));
      }
    }
  }

  private static void produce(LocalInfra infra, String key, String value) throws Exception {
    Map<String, Object> config = Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrapServers(),
        ProducerConfig.ACKS_CONFIG, "all");
    try (var producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
      producer.send(new ProducerRecord<>(READINGS, key, value)).get();
    }
  }

  /** Every record of the topic from the beginning, read without a consumer group. */
  private static List<String> readAll(LocalInfra infra, String topic) {
    Map<String, Object> config = Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrapServers(),
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    try (var consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map(p -> new TopicPartition(topic, p.partition()))
          .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      List<String> values = new ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
          values.add(record.value());
        }
      }
      return values;
    }
  }

  private static Set<String> tidewatchTables(CqlSession session) {
    return session.execute("SELECT table_name FROM system_schema.tables WHERE keyspace_name = 'tidewatch'")
        .all().stream()
        .map(row -> row.getString("table_name"))
        .collect(Collectors.toSet());
  }
}
