package io.tidewatch.persistence.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.typesafe.config.ConfigFactory;
import io.tidewatch.protocol.EntityProtocol;
import io.tidewatch.protocol.EntityProtocol.ReadingsRecorded;
import io.tidewatch.protocol.EntityProtocol.SourcedReading;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Events journaled by older versions still read, through Pekko's Jackson serializer and our migrations. */
class ReadingsRecordedMigrationTest {

  private static final ActorSystem<Void> system =
      ActorSystem.create(
          Behaviors.empty(),
          "migration-test",
          ConfigFactory.parseResources("serialization.conf")
              .withFallback(ConfigFactory.parseResources("persistence.conf"))
              .withFallback(ConfigFactory.load())
              .resolve());

  @AfterAll
  static void stop() {
    system.terminate();
  }

  @Test
  void readsAVersion1EventAsComingFromTheDefaultTopic() throws Exception {
    // What version 1 wrote: CBOR of {"readings":[...]} under the manifest without a version (= version 1).
    byte[] v1 =
        new ObjectMapper(new CBORFactory())
            .writeValueAsBytes(
                Map.of(
                    "readings",
                    List.of(
                        Map.of(
                            "ts", 1700000000123L,
                            "metrics", Map.of("temperature", 21.37),
                            "attrs", Map.of(),
                            "partition", 3,
                            "offset", 42))));
    Serialization serialization = SerializationExtension.get(system.classicSystem());
    int serializerId = serialization.serializerFor(ReadingsRecorded.class).identifier();

    Object event = serialization.deserialize(v1, serializerId, ReadingsRecorded.class.getName()).get();

    assertEquals(
        new ReadingsRecorded(
            EntityProtocol.DEFAULT_TOPIC,
            List.of(new SourcedReading(1700000000123L, Map.of("temperature", 21.37), null, Map.of(), 3, 42))),
        event);
  }

  @Test
  void readsAVersion2EventWithOneObjectPerReading() throws Exception {
    // What version 2 wrote: the topic, and the readings as objects, under the manifest "...#2".
    byte[] v2 =
        cbor(
            Map.of(
                "topic", "readings-v2",
                "readings",
                List.of(
                    Map.of("ts", 1700000001000L, "metrics", Map.of("temperature", 21.5, "humidity", 40.0),
                        "attrs", Map.of("site", "a"), "partition", 1, "offset", 7),
                    Map.of("ts", 1700000000500L, "metrics", Map.of("humidity", 41.0), "event", "click",
                        "attrs", Map.of(), "partition", 0, "offset", 3))));
    Serialization serialization = SerializationExtension.get(system.classicSystem());
    int serializerId = serialization.serializerFor(ReadingsRecorded.class).identifier();

    Object event = serialization.deserialize(v2, serializerId, ReadingsRecorded.class.getName() + "#2").get();

    assertEquals(
        new ReadingsRecorded(
            "readings-v2",
            List.of(
                new SourcedReading(1700000001000L, Map.of("temperature", 21.5, "humidity", 40.0), null, Map.of("site", "a"), 1, 7),
                new SourcedReading(1700000000500L, Map.of("humidity", 41.0), "click", Map.of(), 0, 3))),
        event);
  }

  private static byte[] cbor(Object value) {
    try {
      return new ObjectMapper(new CBORFactory()).writeValueAsBytes(value);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void writesTheCurrentVersionInTheManifest() {
    var event = new ReadingsRecorded("readings-v2", List.of());
    Serialization serialization = SerializationExtension.get(system.classicSystem());
    String manifest = Serializers.manifestFor(serialization.findSerializerFor(event), event);
    assertEquals(ReadingsRecorded.class.getName() + "#3", manifest);
    byte[] bytes = serialization.serialize(event).get();
    assertEquals(
        event, serialization.deserialize(bytes, serialization.findSerializerFor(event).identifier(), manifest).get());
  }
}
