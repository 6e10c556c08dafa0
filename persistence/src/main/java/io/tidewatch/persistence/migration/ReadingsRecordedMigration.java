package io.tidewatch.persistence.migration;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tidewatch.persistence.serialization.JournalFormats;
import io.tidewatch.protocol.EntityProtocol;
import io.tidewatch.protocol.EntityProtocol.ReadingsRecorded;
import org.apache.pekko.serialization.jackson.JacksonMigration;

/**
 * Older shapes of {@code ReadingsRecorded}, read as the current one (version 3, readings in columns: see
 * {@code io.tidewatch.persistence.serialization.ReadingsColumns}).
 * <ul>
 *   <li>Version 1 (the first releases) did not name the Kafka topic of its readings; entities then read only the
 *       default input topic, so version 1 events are read as coming from it.
 *   <li>Versions 1 and 2 held one object per reading: {@code "readings":[{"ts":..,"metrics":{..},"event":..,
 *       "attrs":{..},"partition":..,"offset":..}]}.
 * </ul>
 */
public final class ReadingsRecordedMigration extends JacksonMigration {

  /** Versions 1 and 2: the plain record form, unknown fields ignored as Pekko's own mapper does. */
  private static final ObjectMapper ROWS =
      JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
  private static final ObjectMapper COLUMNS = JsonMapper.builder().addModule(new JournalFormats()).build();

  @Override
  public int currentVersion() {
    return 3;
  }

  @Override
  public JsonNode transform(int fromVersion, JsonNode json) {
    if (!(json instanceof ObjectNode event)) {
      return json;
    }
    if (fromVersion < 2 && !event.has("topic")) {
      event.put("topic", EntityProtocol.DEFAULT_TOPIC);
    }
    if (fromVersion < 3) {
      event.put("configVersion", EntityProtocol.FIRST_CONFIG_VERSION); // before versions of the configuration
      // Bound as a record, written back as columns by the journal's own writer: one encoding of version 3.
      try {
        return COLUMNS.valueToTree(ROWS.treeToValue(event, ReadingsRecorded.class));
      } catch (JsonProcessingException | IllegalArgumentException e) {
        throw new IllegalStateException("unreadable ReadingsRecorded of version " + fromVersion + ": " + e.getMessage(), e);
      }
    }
    return event;
  }
}
