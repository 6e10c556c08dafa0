package io.tidewatch.persistence.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidewatch.protocol.EntityProtocol.AnomalyDetected;
import io.tidewatch.protocol.EntityProtocol.Outputs;
import io.tidewatch.protocol.EntityProtocol.WindowClosed;
import io.tidewatch.protocol.MetricAggregate;
import io.tidewatch.protocol.Severity;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OutputRecordsTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final OutputRecords records = new OutputRecords(JSON, "aggregates", "alerts", "incidents");

  @Test
  void aClosedWindowBecomesOneRecordPerMetricWithAStableId() throws Exception {
    var closed =
        new WindowClosed(
            "tumbling-60s",
            1_700_000_040_000L,
            1_700_000_100_000L,
            58,
            Map.of(
                "temperature", new MetricAggregate(58, 1160.4, 18.2, 22.9, 20.01, 0.98),
                "humidity", new MetricAggregate(58, 2320.0, 39.0, 41.0, 40.0, 0.5)),
            Map.of("reading", 58L));

    var out = records.of("sensor", "sensor-00042", new Outputs(List.of(closed), List.of()));

    assertEquals(2, out.size());
    var temperature = out.stream().filter(r -> r.value().contains("\"temperature\"")).findFirst().orElseThrow();
    assertEquals("aggregates", temperature.topic());
    assertEquals("sensor-00042", temperature.key());
    JsonNode json = JSON.readTree(temperature.value());
    assertEquals("sensor-00042:tumbling-60s:1700000040000:temperature", json.get("windowId").asText());
    assertEquals("sensor", json.get("entityType").asText());
    assertEquals(1_700_000_040_000L, json.get("start").asLong());
    assertEquals(1_700_000_100_000L, json.get("end").asLong());
    assertEquals(58, json.get("count").asLong());
    assertEquals(20.01, json.get("mean").asDouble());
    assertEquals(0.98, json.get("stddev").asDouble());
    assertEquals(58, json.get("events").get("reading").asLong());
  }

  @Test
  void anAnomalyBecomesOneAlertRecord() throws Exception {
    var alert = new AnomalyDetected(
        "sensor-00042:137", "delta", "temperature", 36.2, 20.9, 5.0, 1_700_000_000_123L, 1_700_000_001_000L, Severity.CRITICAL);

    var out = records.of("sensor", "sensor-00042", new Outputs(List.of(), List.of(alert)));

    assertEquals(1, out.size());
    assertEquals("alerts", out.get(0).topic());
    JsonNode json = JSON.readTree(out.get(0).value());
    assertEquals("sensor-00042:137", json.get("alertId").asText());
    assertEquals("delta", json.get("rule").asText());
    assertEquals(20.9, json.get("previous").asDouble());
    assertEquals(1_700_000_001_000L, json.get("detectedAt").asLong());
    assertEquals("critical", json.get("severity").asText());
  }

  @Test
  void windowsComeBeforeAlertsEachInTheirOrder() {
    var first = new WindowClosed("tumbling-60s", 0, 60_000, 1, Map.of(), Map.of("click", 1L));
    var second = new WindowClosed("tumbling-60s", 60_000, 120_000, 1, Map.of(), Map.of("click", 1L));
    var alert = new AnomalyDetected("u1:9", "range", "purchase", 9e9, null, 1e6, 1, 2, Severity.CRITICAL);

    var out = records.of("user", "u1", new Outputs(List.of(first, second), List.of(alert)));

    assertEquals(List.of("aggregates", "aggregates", "alerts"), out.stream().map(r -> r.topic()).toList());
    assertTrue(out.get(0).value().contains("\"windowId\":\"u1:tumbling-60s:0\""), out.get(0).value());
    assertTrue(out.get(1).value().contains("\"windowId\":\"u1:tumbling-60s:60000\""), out.get(1).value());
  }
}
