package io.tidewatch.node.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class InfluxLinesTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void aMetricWindowIsOnePointAtItsStartWithItsAggregatesAsFields() throws Exception {
    String record = "{\"windowId\":\"s-1:tumbling-60s:1700000040000:temperature\",\"entityType\":\"sensor\","
        + "\"entityId\":\"s-1\",\"spec\":\"tumbling-60s\",\"metric\":\"temperature\",\"start\":1700000040000,"
        + "\"end\":1700000100000,\"count\":60,\"sum\":1230.5,\"min\":19.5,\"max\":22.0,\"mean\":20.508,"
        + "\"stddev\":0.7,\"events\":{}}";

    assertEquals("tidewatch_window,entityId=s-1,entityType=sensor,metric=temperature,spec=tumbling-60s "
            + "count=60i,end=1700000100000i,sum=1230.5,min=19.5,max=22.0,mean=20.508,stddev=0.7 1700000040000",
        InfluxLines.line(JSON.readTree(record)));
  }

  @Test
  void anEventWindowHasNoMetricTagAndCountsEachEventName() throws Exception {
    String record = "{\"entityType\":\"user\",\"entityId\":\"u-7\",\"spec\":\"session-30m\",\"metric\":null,"
        + "\"start\":1000,\"end\":2000,\"count\":3,\"sum\":0,\"min\":0,\"max\":0,\"mean\":0,\"stddev\":0,"
        + "\"events\":{\"add to cart\":1,\"click\":2}}";

    assertEquals("tidewatch_window,entityId=u-7,entityType=user,spec=session-30m "
            + "count=3i,end=2000i,events.add\\ to\\ cart=1i,events.click=2i 1000",
        InfluxLines.line(JSON.readTree(record)));
  }

  @Test
  void escapesCommasSpacesAndEqualsSignsInTags() throws Exception {
    String record = "{\"entityType\":\"sensor\",\"entityId\":\"a\",\"spec\":\"x,y z=1\",\"metric\":\"m\","
        + "\"start\":1,\"end\":2,\"count\":1,\"mean\":1.0}";

    assertEquals("tidewatch_window,entityId=a,entityType=sensor,metric=m,spec=x\\,y\\ z\\=1 count=1i,end=2i,mean=1.0 1",
        InfluxLines.line(JSON.readTree(record)));
  }

  @Test
  void aRecordWithoutItsIdentityIsRefusedNamingTheField() throws Exception {
    IllegalArgumentException missingType = assertThrows(IllegalArgumentException.class,
        () -> InfluxLines.line(JSON.readTree("{\"entityId\":\"a\"}")));
    IllegalArgumentException badStart = assertThrows(IllegalArgumentException.class,
        () -> InfluxLines.line(JSON.readTree(
            "{\"entityType\":\"sensor\",\"entityId\":\"a\",\"spec\":\"s\",\"count\":1,\"end\":2,\"start\":\"soon\"}")));

    assertEquals("an aggregates record needs a non-empty text 'entityType'", missingType.getMessage());
    assertEquals("an aggregates record needs an integer 'start'", badStart.getMessage());
  }
}
