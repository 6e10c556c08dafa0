package io.tidewatch.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class EventSummaryTest {

  private final ObjectMapper mapper = new ObjectMapper();

  private JsonNode json(String text) throws Exception {
    return mapper.readTree(text);
  }

  @Test
  void readingsShowTheirCountAndEventTimeRangeWhateverTheArrivalOrder() throws Exception {
    JsonNode event = json("""
        {"topic":"tidewatch.readings","readings":[
          {"ts":1700000001000,"metrics":{"temperature":20.5},"partition":0,"offset":8},
          {"ts":1700000000000,"metrics":{"temperature":20.4},"partition":0,"offset":9}]}
        """);

    assertEquals(
        "2 readings, ts 2023-11-14T22:13:20.000Z..2023-11-14T22:13:21.000Z",
        EventSummary.of("ReadingsRecorded", event));
  }

  @Test
  void aSingleReadingShowsOneTime() throws Exception {
    JsonNode event = json("{\"readings\":[{\"ts\":1700000000000,\"metrics\":{}}]}");

    assertEquals("1 reading, ts 2023-11-14T22:13:20.000Z", EventSummary.of("ReadingsRecorded", event));
  }

  @Test
  void closedWindowShowsSpecBoundsAndCount() throws Exception {
    JsonNode event = json("""
        {"spec":"tumbling-60s","start":1700000040000,"end":1700000100000,"count":58,
         "metrics":{"temperature":{"count":58}},"events":{"reading":58}}
        """);

    assertEquals(
        "tumbling-60s 2023-11-14T22:14:00.000Z..2023-11-14T22:15:00.000Z count 58",
        EventSummary.of("WindowClosed", event));
  }

  @Test
  void anomalyShowsRuleMetricAndValue() throws Exception {
    JsonNode event = json("""
        {"alertId":"sensor-00042:137","rule":"delta","metric":"temperature","value":36.2,"previous":20.9,
         "threshold":5.0,"ts":1700000000000,"detectedAt":1700000000050}
        """);

    assertEquals("delta temperature 36.2", EventSummary.of("AnomalyDetected", event));
  }

  @Test
  void anIncidentTransitionShowsWhichIncidentWentWhereAndWhy() throws Exception {
    JsonNode event = json("""
        {"incidentId":"sensor-00042:138","transition":"escalated","rule":"zscore","metric":"temperature",
         "severity":"critical","alertId":"sensor-00042:150","ts":1700000000000,"at":1700000000050,
         "openedAt":1699999990000}
        """);

    assertEquals("incident sensor-00042:138 escalated (zscore temperature, critical)",
        EventSummary.of("IncidentChanged", event));
  }

  @Test
  void otherEventsShowTheirJson() throws Exception {
    assertEquals("{\"count\":3}", EventSummary.of("DuplicatesIgnored", json("{\"count\":3}")));
  }
}
