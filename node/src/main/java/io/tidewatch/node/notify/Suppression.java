package io.tidewatch.node.notify;

import io.tidewatch.persistence.readside.ReadSide;
import io.tidewatch.protocol.IncidentTransition;
import io.tidewatch.protocol.IncidentView;
import io.tidewatch.protocol.Severity;
import io.tidewatch.protocol.SilenceProtocol.Silence;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which consumed transitions are not sent, decided when the notifier is about to send them; a dropped transition is
 * committed with the rest, counted per receiver that would have had it, and logged at debug:
 * <ul>
 *   <li><b>silenced</b>: an active silence matches it ({@link SilenceCache});
 *   <li><b>inhibited</b> (when on): it is a warning, and the read side lists another open incident of the same entity
 *       and metric at critical, as Alertmanager's usual inhibit rule. Resolutions are never inhibited: one may close
 *       a warning that was sent before the critical opened, and without it the receiver would keep it open.
 * </ul>
 */
final class Suppression {

  private static final Logger log = LoggerFactory.getLogger(Suppression.class);
  /** Open incidents read per entity: one per rule and metric at most, far fewer than this. */
  static final int OPEN_INCIDENTS_READ = 1000;

  private final SilenceCache silences;
  private final ReadSide readSide;
  private final boolean inhibit;
  private final List<Receiver> receivers;
  private final NotifierMetrics metrics;
  private final Clock clock;

  Suppression(SilenceCache silences, ReadSide readSide, boolean inhibit, List<Receiver> receivers,
      NotifierMetrics metrics, Clock clock) {
    this.silences = silences;
    this.readSide = readSide;
    this.inhibit = inhibit;
    this.receivers = List.copyOf(receivers);
    this.metrics = metrics;
    this.clock = clock;
  }

  /** The transitions to send, in their order. */
  CompletionStage<List<IncidentTransition>> toSend(List<IncidentTransition> transitions) {
    if (transitions.isEmpty()) {
      return CompletableFuture.completedFuture(transitions);
    }
    return silences.current().thenCompose(active -> {
      long now = clock.millis();
      List<IncidentTransition> unsilenced = new ArrayList<>();
      for (IncidentTransition t : transitions) {
        Optional<Silence> silence = active.stream().filter(s -> s.mutes(t, now)).findFirst();
        if (silence.isPresent()) {
          log.debug("Transition {} silenced by {} ({})", t.transitionId(), silence.get().id(), silence.get().comment());
          count(t, metrics::silenced);
        } else {
          unsilenced.add(t);
        }
      }
      return inhibit ? uninhibited(unsilenced) : CompletableFuture.completedFuture(unsilenced);
    });
  }

  private CompletionStage<List<IncidentTransition>> uninhibited(List<IncidentTransition> transitions) {
    Map<String, CompletableFuture<List<IncidentView>>> openByEntity = new LinkedHashMap<>();
    for (IncidentTransition t : transitions) {
      if (inhibitable(t)) { // one read per entity, however many of its warnings the batch holds
        openByEntity.computeIfAbsent(t.entityType() + "/" + t.entityId(), k -> readSide
            .entityIncidents(t.entityType(), t.entityId(), IncidentView.OPEN, null, OPEN_INCIDENTS_READ)
            .toCompletableFuture());
      }
    }
    // A critical opened or escalated in this very batch may not be in the read side yet: the ingest writes its row
    // and its record at the same time, and the record can be consumed first.
    Map<String, String> batchCriticals = new LinkedHashMap<>();
    for (IncidentTransition t : transitions) {
      if (t.severity() == Severity.CRITICAL && !"resolved".equals(t.transition())) {
        batchCriticals.putIfAbsent(t.entityType() + "/" + t.entityId() + "/" + t.metric(), t.incidentId());
      }
    }
    return CompletableFuture.allOf(openByEntity.values().toArray(CompletableFuture[]::new)).thenApply(x -> {
      List<IncidentTransition> out = new ArrayList<>();
      for (IncidentTransition t : transitions) {
        String inBatch = batchCriticals.get(t.entityType() + "/" + t.entityId() + "/" + t.metric());
        Optional<String> critical = !inhibitable(t) ? Optional.empty()
            : inBatch != null && !inBatch.equals(t.incidentId()) ? Optional.of(inBatch)
            : openByEntity.get(t.entityType() + "/" + t.entityId()).join().stream()
                .filter(i -> i.severity() == Severity.CRITICAL && Objects.equals(i.metric(), t.metric())
                    && !i.incidentId().equals(t.incidentId()))
                .map(IncidentView::incidentId)
                .findFirst();
        if (critical.isPresent()) {
          log.debug("Transition {} inhibited by open critical incident {}", t.transitionId(), critical.get());
          count(t, metrics::inhibited);
        } else {
          out.add(t);
        }
      }
      return out;
    });
  }

  private static boolean inhibitable(IncidentTransition t) {
    return t.severity() == Severity.WARNING && !"resolved".equals(t.transition());
  }

  private void count(IncidentTransition t, Consumer<String> counter) {
    receivers.stream().filter(r -> r.wants(t)).forEach(r -> counter.accept(r.name()));
  }
}
