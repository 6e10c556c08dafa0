package io.tidewatch.persistence.output;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidewatch.persistence.state.EntityState;
import io.tidewatch.protocol.AlertView;
import io.tidewatch.protocol.IncidentTransition;
import io.tidewatch.protocol.EntityProtocol.AnomalyDetected;
import io.tidewatch.protocol.EntityProtocol.IncidentChanged;
import io.tidewatch.protocol.EntityProtocol.Outputs;
import io.tidewatch.protocol.EntityProtocol.WindowClosed;
import io.tidewatch.protocol.WindowView;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * What the output topics receive for an entity's outputs, keyed by entity id (DESIGN §2): one aggregates record per
 * closed window and metric, one alerts record per anomaly, one incidents record per incident transition. Delivery is
 * at least once; the {@code windowId}, {@code alertId} and {@code transitionId} are stable, so consumers drop repeats
 * by them.
 */
public final class OutputRecords {

  /** An aggregates record: the window view (its fields inline) plus who it belongs to and its stable id. */
  public record AggregateRecord(
      String windowId, String entityType, String entityId, @JsonUnwrapped WindowView window) {

    static AggregateRecord of(String type, String id, WindowView w) {
      String windowId = id + ":" + w.spec() + ":" + w.start() + (w.metric() == null ? "" : ":" + w.metric());
      return new AggregateRecord(windowId, type, id, w);
    }
  }

  private final ObjectMapper mapper;
  private final String aggregatesTopic;
  private final String alertsTopic;
  private final String incidentsTopic;

  public OutputRecords(ObjectMapper mapper, String aggregatesTopic, String alertsTopic, String incidentsTopic) {
    this.mapper = mapper;
    this.aggregatesTopic = aggregatesTopic;
    this.alertsTopic = alertsTopic;
    this.incidentsTopic = incidentsTopic;
  }

  /**
   * The records for the outputs of entity {@code type}/{@code id}: windows first, then alerts, then incident
   * transitions, each in order.
   */
  public List<ProducerRecord<String, String>> of(String type, String id, Outputs outputs) {
    List<ProducerRecord<String, String>> records = new ArrayList<>();
    for (WindowClosed closed : outputs.windows()) {
      for (WindowView view : EntityState.views(closed)) {
        records.add(new ProducerRecord<>(aggregatesTopic, id, json(AggregateRecord.of(type, id, view))));
      }
    }
    for (AnomalyDetected alert : outputs.alerts()) {
      records.add(new ProducerRecord<>(alertsTopic, id, json(AlertView.of(type, id, alert))));
    }
    for (IncidentChanged incident : outputs.incidents()) {
      records.add(new ProducerRecord<>(incidentsTopic, id, json(IncidentTransition.of(type, id, incident))));
    }
    return records;
  }

  private String json(Object value) {
    try {
      return mapper.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("output records are plain records and always serialize", e);
    }
  }
}
