package io.tidewatch.node.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tidewatch.persistence.readside.AlertCursor;
import io.tidewatch.persistence.readside.ReadSide;
import io.tidewatch.persistence.readside.WindowCursor;
import io.tidewatch.persistence.readside.WindowFilter;
import io.tidewatch.protocol.AlertView;
import io.tidewatch.protocol.EntityProtocol.IncidentChanged;
import io.tidewatch.protocol.EntityProtocol.IncidentState;
import io.tidewatch.protocol.IncidentTransition;
import io.tidewatch.protocol.IncidentView;
import io.tidewatch.protocol.Severity;
import io.tidewatch.protocol.SilenceProtocol.Matchers;
import io.tidewatch.protocol.SilenceProtocol.Silence;
import io.tidewatch.protocol.WindowView;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Which transitions silences and inhibition keep from being sent, and what they count. */
class SuppressionTest {

  private static final long NOW = 1_700_000_000_000L;
  private static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC);
  private static final Receiver ALL = new Receiver("all", URI.create("http://a/"), null, Set.of(), Set.of(), Set.of(),
      Receiver.Kind.ALERTMANAGER);
  private static final Receiver CRITICAL = new Receiver("critical", URI.create("http://c/"), null, Set.of(), Set.of(),
      Set.of(Severity.CRITICAL), Receiver.Kind.ALERTMANAGER);

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final NotifierMetrics metrics = new NotifierMetrics(registry, List.of(ALL, CRITICAL));
  private final List<IncidentView> open = new ArrayList<>();
  private final AtomicInteger reads = new AtomicInteger();

  private static IncidentTransition t(String entity, String incident, String kind, String rule, String metric, Severity s) {
    return new IncidentTransition(incident + ":" + kind, incident, kind, "sensor", entity, rule, metric, s, incident,
        NOW - 10, NOW - 5, NOW - 5);
  }

  private static IncidentView openCritical(String entity, String incident, String metric) {
    return IncidentView.after(null, "sensor", entity, new IncidentChanged(
        incident, IncidentState.OPENED, "zscore", metric, Severity.CRITICAL, incident, NOW - 60_000, NOW - 60_000, NOW - 60_000));
  }

  private Suppression suppression(List<Silence> silences, boolean inhibit) {
    SilenceCache cache = new SilenceCache(() -> CompletableFuture.completedFuture(silences), Duration.ofSeconds(5), CLOCK);
    return new Suppression(cache, new OpenIncidents(), inhibit, List.of(ALL, CRITICAL), metrics, CLOCK);
  }

  private double count(String outcome, String receiver) {
    return registry.get("tidewatch.notifications." + outcome).tag("receiver", receiver).counter().count();
  }

  @Test
  void dropsWhatAnActiveSilenceMatchesAndCountsItPerReceiverThatWantedIt() {
    Silence delta = new Silence("s1", new Matchers("sensor", null, "delta", null), NOW - 1000, NOW + 1000, "c", "ana");
    Silence ended = new Silence("s2", new Matchers(null, null, "zscore", null), NOW - 1000, NOW, "c", "ana");
    IncidentTransition deltaCritical = t("s-1", "s-1:1", "opened", "delta", "rpm", Severity.CRITICAL);
    IncidentTransition deltaWarning = t("s-2", "s-2:1", "opened", "delta", "rpm", Severity.WARNING);
    IncidentTransition zscore = t("s-3", "s-3:1", "opened", "zscore", "rpm", Severity.WARNING);

    List<IncidentTransition> sent = suppression(List.of(delta, ended), false)
        .toSend(List.of(deltaCritical, deltaWarning, zscore)).toCompletableFuture().join();

    assertEquals(List.of(zscore), sent);
    assertEquals(2.0, count("silenced", "all"));
    assertEquals(1.0, count("silenced", "critical"), "only the critical one was for it");
  }

  @Test
  void dropsAWarningOfAnEntityAndMetricWithAnotherOpenCriticalIncident() {
    open.add(openCritical("s-1", "s-1:1", "rpm"));
    IncidentTransition underCritical = t("s-1", "s-1:2", "opened", "delta", "rpm", Severity.WARNING);
    IncidentTransition escalatedToWarning = t("s-1", "s-1:5", "escalated", "range", "rpm", Severity.WARNING);
    IncidentTransition otherMetric = t("s-1", "s-1:3", "opened", "delta", "temp", Severity.WARNING);
    IncidentTransition error = t("s-1", "s-1:4", "opened", "range", "rpm", Severity.ERROR);
    IncidentTransition resolution = t("s-1", "s-1:0", "resolved", "delta", "rpm", Severity.WARNING);
    IncidentTransition otherEntity = t("s-9", "s-9:2", "opened", "delta", "rpm", Severity.WARNING);

    List<IncidentTransition> sent = suppression(List.of(), true)
        .toSend(List.of(underCritical, escalatedToWarning, otherMetric, error, resolution, otherEntity))
        .toCompletableFuture().join();

    assertEquals(List.of(otherMetric, error, resolution, otherEntity), sent);
    assertEquals(2.0, count("inhibited", "all"));
    assertEquals(2, reads.get(), "one read per entity");
  }

  @Test
  void aCriticalOpenedInTheSameBatchInhibitsAWarningOfItsEntityAndMetricBeforeTheReadSideListsIt() {
    IncidentTransition critical = t("s-1", "s-1:1", "opened", "range", "rpm", Severity.CRITICAL);
    IncidentTransition warning = t("s-1", "s-1:3", "opened", "delta", "rpm", Severity.WARNING);
    IncidentTransition otherMetric = t("s-1", "s-1:5", "opened", "delta", "temp", Severity.WARNING);

    List<IncidentTransition> sent = suppression(List.of(), true)
        .toSend(List.of(critical, warning, otherMetric)).toCompletableFuture().join();

    assertEquals(List.of(critical, otherMetric), sent, "the read side lists no incident yet");
    assertEquals(1.0, count("inhibited", "all"));
  }

  @Test
  void sendsWarningsUnderCriticalWhenInhibitionIsOff() {
    open.add(openCritical("s-1", "s-1:1", "rpm"));
    IncidentTransition warning = t("s-1", "s-1:2", "opened", "delta", "rpm", Severity.WARNING);

    assertEquals(List.of(warning), suppression(List.of(), false).toSend(List.of(warning)).toCompletableFuture().join());
    assertEquals(0, reads.get());
  }

  @Test
  void asksForSilencesOncePerCachePeriodAndKeepsTheLastAnswerWhenAnAskFails() {
    AtomicInteger asks = new AtomicInteger();
    Silence s = new Silence("s1", new Matchers(null, null, "delta", null), NOW - 1000, NOW + 1000, "c", "ana");
    Instant[] now = {Instant.ofEpochMilli(NOW)};
    Clock moving = new Clock() {
      @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
      @Override public Clock withZone(java.time.ZoneId zone) { return this; }
      @Override public Instant instant() { return now[0]; }
    };
    SilenceCache cache = new SilenceCache(() -> asks.incrementAndGet() == 1
        ? CompletableFuture.completedFuture(List.of(s))
        : CompletableFuture.failedFuture(new IllegalStateException("entity gone")), Duration.ofSeconds(5), moving);

    assertEquals(List.of(s), cache.current().toCompletableFuture().join());
    now[0] = now[0].plusSeconds(4);
    assertEquals(List.of(s), cache.current().toCompletableFuture().join());
    assertEquals(1, asks.get(), "within the cache period");
    now[0] = now[0].plusSeconds(2);
    assertEquals(List.of(s), cache.current().toCompletableFuture().join(), "the last answer");
    assertEquals(2, asks.get());
  }

  /** The open incidents of {@link #open}, counting reads; nothing else is read. */
  private final class OpenIncidents implements ReadSide {
    @Override
    public CompletionStage<List<IncidentView>> entityIncidents(String type, String id, String state, String afterId, int limit) {
      reads.incrementAndGet();
      return CompletableFuture.completedFuture(open.stream()
          .filter(i -> i.entityType().equals(type) && i.entityId().equals(id) && i.state().equals(state)).toList());
    }

    @Override
    public CompletionStage<List<String>> entityIds(String type, String after, int limit) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletionStage<Boolean> listed(String type, String id) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletionStage<List<WindowView>> windows(String type, String id, WindowFilter f, WindowCursor after, int limit) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletionStage<List<AlertView>> entityAlerts(String type, String id, Long from, Long to, AlertCursor after, int limit) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletionStage<List<AlertView>> recentAlerts(long sinceMs, AlertCursor before, int limit) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletionStage<List<IncidentView>> openIncidents(AlertCursor after, int limit) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletionStage<List<IncidentTransition>> incidentTransitionsAfter(AlertCursor after, int limit) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletionStage<List<AlertView>> alertsAfter(AlertCursor after, int limit) {
      throw new UnsupportedOperationException();
    }
  }
}
