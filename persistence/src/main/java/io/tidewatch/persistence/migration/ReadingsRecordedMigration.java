package io.tidewatch.persistence.migration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tidewatch.protocol.EntityProtocol;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
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
      toColumns(event);
    }
    return event;
  }

  private static void toColumns(ObjectNode event) {
    JsonNodeFactory nodes = JsonNodeFactory.instance;
    ArrayNode ts = nodes.arrayNode();
    ArrayNode partitions = nodes.arrayNode();
    ArrayNode offsets = nodes.arrayNode();
    ArrayNode metricNames = nodes.arrayNode();
    ArrayNode metrics = nodes.arrayNode();
    ArrayNode events = nodes.arrayNode();
    ArrayNode attrs = nodes.arrayNode();
    Map<String, Integer> nameIndex = new HashMap<>();
    long previousTs = 0;
    long previousOffset = 0;
    for (JsonNode reading : event.path("readings")) {
      long time = reading.path("ts").asLong();
      long offset = reading.path("offset").asLong();
      ts.add(time - previousTs);
      offsets.add(offset - previousOffset);
      previousTs = time;
      previousOffset = offset;
      partitions.add(reading.path("partition").asInt());
      ArrayNode pairs = metrics.addArray();
      for (Iterator<Map.Entry<String, JsonNode>> it = reading.path("metrics").fields(); it.hasNext(); ) {
        var metric = it.next();
        Integer index = nameIndex.get(metric.getKey());
        if (index == null) {
          index = nameIndex.size();
          nameIndex.put(metric.getKey(), index);
          metricNames.add(metric.getKey());
        }
        pairs.add(index);
        pairs.add(metric.getValue().asDouble());
      }
      JsonNode name = reading.path("event");
      if (name.isTextual()) {
        events.add(name.asText());
      } else {
        events.addNull();
      }
      attrs.add(reading.path("attrs").isObject() ? reading.get("attrs").deepCopy() : nodes.objectNode());
    }
    event.remove("readings");
    event.set("ts", ts);
    event.set("partition", partitions);
    event.set("offset", offsets);
    event.set("metricNames", metricNames);
    event.set("metrics", metrics);
    event.set("events", events);
    event.set("attrs", attrs);
  }
}
