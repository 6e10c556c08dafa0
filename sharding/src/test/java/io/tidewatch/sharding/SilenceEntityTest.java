package io.tidewatch.sharding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.tidewatch.protocol.Severity;
import io.tidewatch.protocol.SilenceProtocol.Command;
import io.tidewatch.protocol.SilenceProtocol.CreateSilence;
import io.tidewatch.protocol.SilenceProtocol.Event;
import io.tidewatch.protocol.SilenceProtocol.ExpireSilence;
import io.tidewatch.protocol.SilenceProtocol.GetSilences;
import io.tidewatch.protocol.SilenceProtocol.Matchers;
import io.tidewatch.protocol.SilenceProtocol.Silence;
import io.tidewatch.protocol.SilenceProtocol.SilenceCreated;
import io.tidewatch.protocol.SilenceProtocol.SilenceExpired;
import io.tidewatch.protocol.SilenceProtocol.SilenceList;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The silences entity: what it journals, what it answers, what it keeps. */
class SilenceEntityTest {

  private static final long T0 = 1_700_000_000_000L;
  private static final long HOUR = 3_600_000L;
  private static final ActorTestKit testKit =
      ActorTestKit.create(
          ConfigFactory.load(EventSourcedBehaviorTestKit.config()
              .withFallback(ConfigFactory.parseResources("serialization.conf"))
              .withFallback(ConfigFactory.parseResources("journal-formats.conf"))));

  private final EventSourcedBehaviorTestKit<Command, Event, SilenceEntity.State> kit =
      EventSourcedBehaviorTestKit.create(testKit.system(), SilenceEntity.create(SilenceEntity.ID));

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void clear() {
    kit.clear();
  }

  private static Silence silence(String id, long startsAt, long endsAt) {
    return new Silence(id, new Matchers(null, null, "delta", Severity.WARNING), startsAt, endsAt, "maintenance", "ops");
  }

  @Test
  void createsASilenceAndListsIt() {
    Silence s = silence("s1", T0, T0 + HOUR);

    var result = kit.<StatusReply<Silence>>runCommand(r -> new CreateSilence(s, r));

    assertEquals(s, result.reply().getValue());
    assertEquals(new SilenceCreated(s), result.event());
    assertEquals(Map.of("s1", s), result.state().silences());
    var listed = kit.<SilenceList>runCommand(GetSilences::new);
    assertEquals(List.of(s), listed.reply().silences());
    assertTrue(listed.hasNoEvents());
  }

  @Test
  void acknowledgesTheSameSilenceAgainWithoutJournalingIt() {
    Silence s = silence("s1", T0, T0 + HOUR);
    kit.<StatusReply<Silence>>runCommand(r -> new CreateSilence(s, r));

    var again = kit.<StatusReply<Silence>>runCommand(r -> new CreateSilence(s, r));

    assertTrue(again.reply().isSuccess());
    assertTrue(again.hasNoEvents());
  }

  @Test
  void rejectsASilenceWithoutMatchersOrThatEndsBeforeItStarts() {
    Silence noMatchers = new Silence("s1", new Matchers(null, null, null, null), T0, T0 + HOUR, "", "ops");
    var none = kit.<StatusReply<Silence>>runCommand(r -> new CreateSilence(noMatchers, r));
    var backwards = kit.<StatusReply<Silence>>runCommand(
        r -> new CreateSilence(silence("s2", T0, T0), r));

    assertTrue(none.reply().isError());
    assertTrue(none.hasNoEvents());
    assertTrue(backwards.reply().isError());
    assertTrue(backwards.hasNoEvents());
  }

  @Test
  void expiresASilenceNowAndAcknowledgesAnEndedOneAsItIs() {
    kit.<StatusReply<Silence>>runCommand(r -> new CreateSilence(silence("s1", T0, T0 + HOUR), r));

    var expired = kit.<StatusReply<Silence>>runCommand(r -> new ExpireSilence("s1", T0 + 60_000, r));
    var again = kit.<StatusReply<Silence>>runCommand(r -> new ExpireSilence("s1", T0 + 90_000, r));

    assertEquals(T0 + 60_000, expired.reply().getValue().endsAt());
    assertEquals(new SilenceExpired("s1", T0 + 60_000), expired.event());
    assertEquals("expired", expired.state().silences().get("s1").state(T0 + 60_000));
    assertEquals(T0 + 60_000, again.reply().getValue().endsAt());
    assertTrue(again.hasNoEvents());
  }

  @Test
  void rejectsExpiringAnUnknownSilence() {
    var result = kit.<StatusReply<Silence>>runCommand(r -> new ExpireSilence("nope", T0, r));

    assertTrue(result.reply().isError());
    assertTrue(result.hasNoEvents());
  }

  @Test
  void dropsSilencesEndedLongerAgoThanItKeepsThem() {
    kit.<StatusReply<Silence>>runCommand(r -> new CreateSilence(silence("old", T0, T0 + HOUR), r));
    long later = T0 + HOUR + SilenceEntity.EXPIRED_KEPT.toMillis() + 1;

    var result = kit.<StatusReply<Silence>>runCommand(
        r -> new CreateSilence(silence("new", later, later + HOUR), r));

    assertEquals(List.of("new"), List.copyOf(result.state().silences().keySet()));
  }

  @Test
  void keepsItsSilencesAfterARestart() {
    Silence s = silence("s1", T0, T0 + HOUR);
    kit.<StatusReply<Silence>>runCommand(r -> new CreateSilence(s, r));
    kit.<StatusReply<Silence>>runCommand(r -> new ExpireSilence("s1", T0 + 1_000, r));

    var restarted = kit.restart();

    assertEquals(Map.of("s1", s.endedAt(T0 + 1_000)), restarted.state().silences());
  }
}
