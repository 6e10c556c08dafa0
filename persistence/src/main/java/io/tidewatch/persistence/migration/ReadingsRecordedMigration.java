package io.tidewatch.persistence.migration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tidewatch.protocol.EntityProtocol;
import org.apache.pekko.serialization.jackson.JacksonMigration;

/**
 * {@code ReadingsRecorded} version 1 (the first releases) did not name the Kafka topic of its readings; entities
 * then read only the default input topic, so version 1 events are read as coming from it.
 */
public final class ReadingsRecordedMigration extends JacksonMigration {

  @Override
  public int currentVersion() {
    return 2;
  }

  @Override
  public JsonNode transform(int fromVersion, JsonNode json) {
    if (fromVersion < 2 && json instanceof ObjectNode event && !event.has("topic")) {
      event.put("topic", EntityProtocol.DEFAULT_TOPIC);
    }
    return json;
  }
}
