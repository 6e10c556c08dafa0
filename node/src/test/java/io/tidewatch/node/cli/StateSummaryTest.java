package io.tidewatch.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class StateSummaryTest {

  private final ObjectMapper mapper = new ObjectMapper();

  @Test
  void showsCountersWatermarkWindowsAndSortedLastValues() throws Exception {
    var state = mapper.readTree("""
        {"entityType":"sensor","entityId":"sensor-00042","readings":200,"lateReadings":1,"duplicates":0,
         "anomalies":2,"watermarkMs":1700000000000,"lastSeqNr":137,
         "lastValues":{"temperature":21.4,"humidity":40.1},
         "openWindows":[{"spec":"tumbling-60s","metric":"temperature","start":1700000040000},
                        {"spec":"tumbling-60s","metric":"humidity","start":1700000040000},
                        {"spec":"sliding-5m-1m","metric":"temperature","start":1700000040000}],
         "recentWindows":[]}
        """);

    assertEquals(
        """
        entity        sensor/sensor-00042
        lastSeqNr     137
        readings      200
        lateReadings  1
        duplicates    0
        anomalies     2
        watermark     2023-11-14T22:13:20.000Z
        openWindows   2
        lastValues    humidity=40.1 temperature=21.4
        """,
        StateSummary.of(state));
  }

  @Test
  void anEntityBeforeItsFirstReadingHasNoWatermarkAndNoValues() throws Exception {
    var state = mapper.readTree("""
        {"entityType":"user","entityId":"user-00001","readings":0,"lateReadings":0,"duplicates":0,"anomalies":0,
         "watermarkMs":-9223372036854775808,"lastSeqNr":1,"lastValues":{},"openWindows":[],"recentWindows":[]}
        """);

    String summary = StateSummary.of(state);

    assertTrue(summary.contains("watermark     none\n"), summary);
    assertTrue(summary.contains("openWindows   0\n"), summary);
    assertTrue(summary.contains("lastValues    none\n"), summary);
  }
}
