package io.tidewatch.persistence.state;

import static io.tidewatch.protocol.EntityProtocol.DEFAULT_TOPIC;
import static io.tidewatch.persistence.state.Readings.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tidewatch.persistence.window.WindowSpec;
import io.tidewatch.protocol.EntityProtocol.Event;
import io.tidewatch.protocol.EntityProtocol.SourcedReading;
import io.tidewatch.protocol.EntityProtocol.WindowClosed;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Session windows against a deliberately naive reference of DESIGN §3 that keeps every reading of every session,
 * open or closed, and decides membership by brute force, on random streams with gaps, disorder and very late
 * readings, fed in random batches.
 */
class SessionWindowsProperties {

  private static final long GAP = 10_000;
  private static final long LATENESS = 2_000;
  private static final EntityTypeConfig SESSIONS =
      EntityTypeConfig.of("user", List.of(WindowSpec.session(GAP)), LATENESS);

  /** A session of the reference: its readings' times and values. */
  private static final class NaiveSession {
    final List<Long> times = new ArrayList<>();
    long sum;

    boolean holds(long ts) {
      return times.stream().anyMatch(t -> Math.abs(t - ts) < GAP);
    }

    long first() {
      return times.stream().mapToLong(Long::longValue).min().orElseThrow();
    }

    long end() {
      return times.stream().mapToLong(Long::longValue).max().orElseThrow() + GAP;
    }
  }

  private record Outcome(TreeMap<Long, String> closed, long late) {}

  private static Outcome reference(List<SourcedReading> stream) {
    List<NaiveSession> open = new ArrayList<>();
    List<NaiveSession> closed = new ArrayList<>();
    long max = Long.MIN_VALUE;
    long late = 0;
    for (SourcedReading r : stream) {
      long watermark = max == Long.MIN_VALUE ? Long.MIN_VALUE : max - LATENESS;
      long ts = r.ts();
      List<NaiveSession> joined = open.stream().filter(s -> s.holds(ts)).toList();
      if (closed.stream().anyMatch(s -> s.holds(ts))) {
        late++;
      } else if (joined.isEmpty() && ts + GAP <= watermark) {
        late++;
      } else {
        NaiveSession merged = new NaiveSession();
        for (NaiveSession s : joined) {
          merged.times.addAll(s.times);
          merged.sum += s.sum;
          open.remove(s);
        }
        merged.times.add(ts);
        merged.sum += (long) (double) r.metrics().get("clicks");
        open.add(merged);
      }
      max = Math.max(max, ts);
      long newWatermark = max - LATENESS;
      for (NaiveSession s : List.copyOf(open)) {
        if (s.end() <= newWatermark) {
          open.remove(s);
          closed.add(s);
        }
      }
    }
    TreeMap<Long, String> result = new TreeMap<>();
    closed.forEach(s -> result.put(s.first(), s.end() + "/" + s.times.size() + "/" + s.sum));
    return new Outcome(result, late);
  }

  @TestFactory
  Stream<DynamicTest> closedSessionsAndLateCountsMatchTheReference() {
    return RandomStreams.cases(400, "sessions", seed -> () -> check(new Random(seed)));
  }

  private static void check(Random random) {
    // Gaps of up to 25 s against a 10 s session gap; readings up to 40 s out of order.
    List<Long> times = RandomStreams.times(random, T0, 120, 40, 25);
    List<SourcedReading> stream = new ArrayList<>();
    for (int i = 0; i < times.size(); i++) {
      stream.add(new SourcedReading(times.get(i), Map.of("clicks", (double) (i % 5)), "click", Map.of(), 0, i));
    }

    EntityState state = new EntityState(SESSIONS, "user-00001");
    TreeMap<Long, String> actual = new TreeMap<>();
    for (List<SourcedReading> batch : RandomStreams.batches(random, stream, 30)) {
      for (Event event : RecordPlan.record(state, DEFAULT_TOPIC, batch, 0, 0).events()) {
        if (event instanceof WindowClosed closed) {
          assertEquals(null, actual.get(closed.start()), "a session closes once");
          actual.put(
              closed.start(),
              closed.end() + "/" + closed.count() + "/" + (long) closed.metrics().get("clicks").sum());
          assertEquals(closed.count(), closed.events().get("click"));
        }
      }
    }

    Outcome expected = reference(stream);
    assertEquals(expected.closed(), actual);
    assertEquals(expected.late(), state.lateReadings());
  }
}
