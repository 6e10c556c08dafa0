package io.tidewatch.sharding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.tidewatch.persistence.state.EntityTypeConfig;
import io.tidewatch.persistence.window.WindowSpec;
import io.tidewatch.protocol.TypeConfigProtocol.Change;
import io.tidewatch.protocol.TypeConfigProtocol.Command;
import io.tidewatch.protocol.TypeConfigProtocol.Event;
import io.tidewatch.protocol.TypeConfigProtocol.History;
import io.tidewatch.protocol.TypeConfigProtocol.Part;
import io.tidewatch.protocol.TypeConfigProtocol.Sources;
import io.tidewatch.protocol.TypeConfigProtocol.SyncFile;
import io.tidewatch.protocol.TypeConfigProtocol.Version;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TypeConfigEntityTest {

  private static final EntityTypeConfig SENSOR =
      EntityTypeConfig.of("sensor", List.of(WindowSpec.tumbling("60s", 60_000)), 5_000);
  private static final Sources FILE = new Sources("[{\"rule\":\"delta\",\"metrics\":[\"*\"],\"threshold\":5}]", "[]");

  private static final ActorTestKit testKit =
      ActorTestKit.create(
          ConfigFactory.load(EventSourcedBehaviorTestKit.config()
              .withFallback(ConfigFactory.parseResources("serialization.conf"))));

  private final TestProbe<Topic.Command<History>> topic = testKit.createTestProbe();
  private final EventSourcedBehaviorTestKit<Command, Event, History> kit =
      EventSourcedBehaviorTestKit.create(testKit.system(), TypeConfigEntity.create(SENSOR, topic.ref()),
          EventSourcedBehaviorTestKit.enabledSerializationSettings());

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void clear() {
    kit.clear();
  }

  private History sync(Sources file) {
    return kit.<History>runCommand(replyTo -> new SyncFile(file, 1_000, replyTo)).reply();
  }

  private StatusReply<History> change(Part part, String source) {
    return kit.<StatusReply<History>>runCommand(replyTo -> new Change(part, source, "alice", 2_000, replyTo)).reply();
  }

  @Test
  void theFileGivesTheFirstVersionAndANewOneOnlyWhenItChanged() {
    History first = sync(FILE);
    assertEquals(List.of(new Version(1, FILE, Version.FILE, "configuration file", 1_000, FILE)), first.versions());
    assertEquals(first, sync(FILE), "a restart with the same file: nothing new");
    topic.receiveMessage(); // the first version was published

    Sources edited = new Sources(FILE.anomalies(), "[{\"drop-if\":\"metrics.temperature > 100.0\"}]");
    History second = sync(edited);
    assertEquals(2, second.latest().version());
    assertEquals(Version.FILE, second.latest().change());
    assertEquals(edited, second.latest().sources());
  }

  @Test
  void aFileThatChangesOnePartLeavesTheOperatorsChangeOfTheOtherInForce() {
    sync(FILE);
    String operatorsPipeline = "[{\"drop-if\":\"metrics.temperature > 100.0\"}]";
    change(Part.PIPELINE, operatorsPipeline);
    Sources editedRules = new Sources("[{\"rule\":\"delta\",\"metrics\":[\"*\"],\"threshold\":7}]", "[]");

    Version latest = sync(editedRules).latest();
    assertEquals(3, latest.version());
    assertEquals(editedRules.anomalies(), latest.sources().anomalies(), "the file changed the rules");
    assertEquals(operatorsPipeline, latest.sources().pipeline(), "the operator's pipeline stays");
    assertEquals(3, sync(editedRules).versions().size(), "the same file again: nothing new");
  }

  @Test
  void aNodeStartingWithAnOlderFileDoesNotTakeTheNewerOneBack() {
    sync(FILE);
    Sources newer = new Sources("[{\"rule\":\"delta\",\"metrics\":[\"*\"],\"threshold\":7}]", "[]");
    sync(newer);

    History after = sync(FILE); // a node of the earlier deployment restarts
    assertEquals(2, after.versions().size());
    assertEquals(newer.anomalies(), after.latest().sources().anomalies());
  }

  @Test
  void anOperatorsChangeReplacesItsPartKeepsTheOtherAndIsPublished() {
    sync(FILE);
    topic.receiveMessage();
    StatusReply<History> changed = change(Part.RULES, "[{\"rule\":\"range\",\"metrics\":[\"temperature\"],\"min\":0,\"max\":50}]");

    Version latest = changed.getValue().latest();
    assertEquals(2, latest.version());
    assertEquals("rules", latest.change());
    assertEquals("alice", latest.by());
    assertEquals("[]", latest.sources().pipeline());
    assertTrue(latest.sources().anomalies().contains("range"));
    Topic.Command<History> published = topic.receiveMessage();
    assertTrue(published.toString().contains("range"), "the new history went to the topic: " + published);
  }

  @Test
  void aChangeThatDoesNotCompileIsRefusedNamingItsKeyAndJournalsNothing() {
    sync(FILE);
    StatusReply<History> refused = change(Part.PIPELINE, "[{\"derive\":\"dew\",\"expr\":\"metrics.temperature +\"}]");

    assertTrue(refused.isError());
    assertTrue(refused.getError().getMessage().startsWith("pipeline[0].expr"), refused.getError().getMessage());
    assertEquals(1, kit.getState().versions().size());
  }

  @Test
  void aChangeToWhatIsInForceAddsNoVersion() {
    sync(FILE);
    StatusReply<History> same = change(Part.RULES, FILE.anomalies());
    assertEquals(1, same.getValue().versions().size());
  }
}
