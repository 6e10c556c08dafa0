package io.tidewatch.persistence.serialization;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.tidewatch.protocol.EntityProtocol;
import io.tidewatch.protocol.EntityProtocol.ReadingsRecorded;
import io.tidewatch.protocol.EntityProtocol.SourcedReading;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ReadingsRecorded} in the journal (version 3): its readings in columns instead of one object each, so a write
 * of many readings carries no field names per reading, times and offsets as differences from the previous reading
 * (small integers in CBOR), and metric names once per event:
 *
 * <pre>{"topic":"tidewatch.readings", "ts":[1700000000123,1002,-37], "partition":[2,2,2], "offset":[4711,3,5],
 *  "metricNames":["temperature"], "metrics":[[0,21.37],[0,21.4],[0,36.2]],
 *  "events":[null,"click",null], "attrs":[{},{"site":"a"},{}]}</pre>
 *
 * {@code events} and {@code attrs} are left out when no reading has one. About a fifth of the bytes of one object per
 * reading: less to serialize, send, commit-log, flush and compact. Bound to the journal's serializer only
 * ({@link JournalFormats}); the HTTP API shows events in their plain record form.
 */
final class ReadingsColumns {

  private ReadingsColumns() {}

  static final class Writer extends JsonSerializer<ReadingsRecorded> {
    @Override
    public void serialize(ReadingsRecorded event, JsonGenerator gen, SerializerProvider provider) throws IOException {
      List<SourcedReading> readings = event.readings();
      int n = readings.size();
      gen.writeStartObject();
      gen.writeStringField("topic", event.topic());
      if (event.configVersion() != EntityProtocol.FIRST_CONFIG_VERSION) { // left out until a type's first change
        gen.writeNumberField("configVersion", event.configVersion());
      }
      if (event.recordedAt() != 0) {
        gen.writeNumberField("recordedAt", event.recordedAt());
      }
      gen.writeFieldName("ts");
      gen.writeStartArray(readings, n);
      long previous = 0;
      for (SourcedReading r : readings) {
        gen.writeNumber(r.ts() - previous);
        previous = r.ts();
      }
      gen.writeEndArray();
      gen.writeFieldName("partition");
      gen.writeStartArray(readings, n);
      for (SourcedReading r : readings) {
        gen.writeNumber(r.partition());
      }
      gen.writeEndArray();
      gen.writeFieldName("offset");
      gen.writeStartArray(readings, n);
      previous = 0;
      for (SourcedReading r : readings) {
        gen.writeNumber(r.offset() - previous);
        previous = r.offset();
      }
      gen.writeEndArray();
      Map<String, Integer> names = new LinkedHashMap<>();
      for (SourcedReading r : readings) {
        for (String name : r.metrics().keySet()) {
          names.putIfAbsent(name, names.size());
        }
      }
      gen.writeFieldName("metricNames");
      gen.writeStartArray(names, names.size());
      for (String name : names.keySet()) {
        gen.writeString(name);
      }
      gen.writeEndArray();
      gen.writeFieldName("metrics");
      gen.writeStartArray(readings, n);
      boolean events = false;
      boolean attrs = false;
      for (SourcedReading r : readings) {
        gen.writeStartArray(r.metrics(), 2 * r.metrics().size());
        for (Map.Entry<String, Double> metric : r.metrics().entrySet()) {
          gen.writeNumber(names.get(metric.getKey()));
          gen.writeNumber(metric.getValue());
        }
        gen.writeEndArray();
        events |= r.event() != null;
        attrs |= !r.attrs().isEmpty();
      }
      gen.writeEndArray();
      if (events) {
        gen.writeFieldName("events");
        gen.writeStartArray(readings, n);
        for (SourcedReading r : readings) {
          gen.writeString(r.event()); // null writes null
        }
        gen.writeEndArray();
      }
      if (attrs) {
        gen.writeFieldName("attrs");
        gen.writeStartArray(readings, n);
        for (SourcedReading r : readings) {
          gen.writeStartObject();
          for (Map.Entry<String, String> attr : r.attrs().entrySet()) {
            gen.writeStringField(attr.getKey(), attr.getValue());
          }
          gen.writeEndObject();
        }
        gen.writeEndArray();
      }
      gen.writeEndObject();
    }
  }

  static final class Reader extends JsonDeserializer<ReadingsRecorded> {
    @Override
    public ReadingsRecorded deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
      if (p.currentToken() != JsonToken.START_OBJECT) {
        throw MismatchedInputException.from(p, ReadingsRecorded.class, "expected an object of reading columns");
      }
      String topic = null;
      int configVersion = EntityProtocol.FIRST_CONFIG_VERSION;
      long recordedAt = 0;
      long[] ts = null;
      long[] partitions = null;
      long[] offsets = null;
      List<String> metricNames = List.of();
      List<double[]> metrics = null;
      List<String> events = null;
      List<Map<String, String>> attrs = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        p.nextToken();
        switch (field) {
          case "topic" -> topic = p.getValueAsString();
          case "configVersion" -> configVersion = p.getIntValue();
          case "recordedAt" -> recordedAt = p.getLongValue();
          case "ts" -> ts = longs(p);
          case "partition" -> partitions = longs(p);
          case "offset" -> offsets = longs(p);
          case "metricNames" -> metricNames = strings(p);
          case "metrics" -> metrics = nested(p);
          case "events" -> events = strings(p);
          case "attrs" -> attrs = stringMaps(p);
          default -> p.skipChildren(); // a field of a later version: ignored
        }
      }
      if (topic == null || ts == null || partitions == null || offsets == null || metrics == null) {
        throw MismatchedInputException.from(
            p, ReadingsRecorded.class, "missing one of topic, ts, partition, offset, metrics");
      }
      int n = ts.length;
      if (partitions.length != n || offsets.length != n || metrics.size() != n
          || (events != null && events.size() != n) || (attrs != null && attrs.size() != n)) {
        throw MismatchedInputException.from(p, ReadingsRecorded.class, "reading columns of different lengths");
      }
      List<SourcedReading> readings = new ArrayList<>(n);
      long time = 0;
      long offset = 0;
      for (int i = 0; i < n; i++) {
        time += ts[i];
        offset += offsets[i];
        double[] pairs = metrics.get(i);
        Map<String, Double> values = new HashMap<>(pairs.length);
        for (int k = 0; k + 1 < pairs.length; k += 2) {
          values.put(metricNames.get((int) pairs[k]), pairs[k + 1]);
        }
        readings.add(new SourcedReading(
            time,
            values,
            events == null ? null : events.get(i),
            attrs == null ? Map.of() : attrs.get(i),
            (int) partitions[i],
            offset));
      }
      return new ReadingsRecorded(topic, readings, configVersion, recordedAt);
    }

    private static long[] longs(JsonParser p) throws IOException {
      expectArray(p);
      long[] values = new long[16];
      int n = 0;
      while (p.nextToken() != JsonToken.END_ARRAY) {
        if (n == values.length) {
          values = Arrays.copyOf(values, 2 * n);
        }
        values[n++] = p.getLongValue();
      }
      return Arrays.copyOf(values, n);
    }

    /** Strings, nulls kept. */
    private static List<String> strings(JsonParser p) throws IOException {
      expectArray(p);
      List<String> values = new ArrayList<>();
      while (p.nextToken() != JsonToken.END_ARRAY) {
        values.add(p.currentToken() == JsonToken.VALUE_NULL ? null : p.getValueAsString());
      }
      return values;
    }

    private static List<Map<String, String>> stringMaps(JsonParser p) throws IOException {
      expectArray(p);
      List<Map<String, String>> maps = new ArrayList<>();
      while (p.nextToken() != JsonToken.END_ARRAY) {
        if (p.currentToken() != JsonToken.START_OBJECT) {
          throw MismatchedInputException.from(p, ReadingsRecorded.class, "expected attributes, got " + p.currentToken());
        }
        Map<String, String> map = new HashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String key = p.currentName();
          p.nextToken();
          map.put(key, p.getValueAsString());
        }
        maps.add(map);
      }
      return maps;
    }

    /** Each reading's metrics: name index and value, alternating (an index is a small integer, exact as a double). */
    private static List<double[]> nested(JsonParser p) throws IOException {
      expectArray(p);
      List<double[]> rows = new ArrayList<>();
      while (p.nextToken() != JsonToken.END_ARRAY) {
        expectArray(p);
        double[] row = new double[2];
        int n = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
          if (n == row.length) {
            row = Arrays.copyOf(row, 2 * n);
          }
          row[n++] = p.getDoubleValue();
        }
        rows.add(Arrays.copyOf(row, n));
      }
      return rows;
    }

    private static void expectArray(JsonParser p) throws IOException {
      if (p.currentToken() != JsonToken.START_ARRAY) {
        throw MismatchedInputException.from(p, ReadingsRecorded.class, "expected an array, got " + p.currentToken());
      }
    }
  }
}
