package io.tidewatch.sharding;

import io.tidewatch.persistence.state.EntityTypeConfig;
import io.tidewatch.persistence.state.EntityTypes;
import io.tidewatch.protocol.TypeConfigProtocol.Change;
import io.tidewatch.protocol.TypeConfigProtocol.Command;
import io.tidewatch.protocol.TypeConfigProtocol.Event;
import io.tidewatch.protocol.TypeConfigProtocol.GetHistory;
import io.tidewatch.protocol.TypeConfigProtocol.History;
import io.tidewatch.protocol.TypeConfigProtocol.Part;
import io.tidewatch.protocol.TypeConfigProtocol.Sources;
import io.tidewatch.protocol.TypeConfigProtocol.SyncFile;
import io.tidewatch.protocol.TypeConfigProtocol.Version;
import io.tidewatch.protocol.TypeConfigProtocol.VersionAdded;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live configuration of one entity type ({@code type-config|<type>}): the versions of its anomaly rules and
 * pipeline, each a journaled event, so that an auditor can tell which were in force for any reading and a replay
 * judges readings by the rules of their time. A change that does not compile is refused with the key and why. Each
 * new version is published to every node ({@link TypeConfigSync}); the history is small (a version per change).
 *
 * <p>A sharded entity per type rather than a singleton, as {@link SilenceEntity}: any node reaches it through an
 * {@link EntityRef}, and sharding moves and recovers it when its node goes.
 */
public final class TypeConfigEntity extends EventSourcedBehaviorWithEnforcedReplies<Command, Event, History> {

  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "type-config");
  static final String FILE_AUTHOR = "configuration file";

  private static final Logger log = LoggerFactory.getLogger(TypeConfigEntity.class);

  private final EntityTypeConfig config;
  private final ActorRef<Topic.Command<History>> topic;

  public static void init(ActorSystem<?> system, EntityTypes types, ActorRef<Topic.Command<History>> topic) {
    ClusterSharding.get(system).init(Entity.of(ENTITY_KEY, ctx -> {
      EntityTypeConfig config = types.get(ctx.getEntityId()).orElseThrow(() ->
          new IllegalArgumentException("no entity type '" + ctx.getEntityId() + "'"));
      return create(config, topic);
    }));
  }

  /** The configuration entity of {@code type}, from any node. */
  public static EntityRef<Command> ref(ActorSystem<?> system, String type) {
    return ClusterSharding.get(system).entityRefFor(ENTITY_KEY, type);
  }

  public static Behavior<Command> create(EntityTypeConfig config, ActorRef<Topic.Command<History>> topic) {
    return new TypeConfigEntity(config, topic);
  }

  private TypeConfigEntity(EntityTypeConfig config, ActorRef<Topic.Command<History>> topic) {
    super(PersistenceId.of(ENTITY_KEY.name(), config.type()),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.1));
    this.config = config;
    this.topic = topic;
  }

  @Override
  public History emptyState() {
    return new History(config.type(), List.of());
  }

  @Override
  public CommandHandlerWithReply<Command, Event, History> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(SyncFile.class, this::onSyncFile)
        .onCommand(Change.class, this::onChange)
        .onCommand(GetHistory.class, (history, get) -> Effect().reply(get.replyTo(), history))
        .build();
  }

  /**
   * The file gives the first version, and a new one whenever it changed since the last version it gave: of the parts
   * it changed only (rules, pipeline), so that an operator's live change of the other part stays. A part the file
   * changes over an operator's later change is replaced, and said so in the log.
   */
  private ReplyEffect<Event, History> onSyncFile(History history, SyncFile sync) {
    Version fromFile = history.latestFromFile();
    Sources file = sync.file();
    if (fromFile != null && file.equals(fromFile.file())) {
      return Effect().reply(sync.replyTo(), history);
    }
    for (Version earlier : history.versions()) {
      if (earlier != fromFile && file.equals(earlier.file())) {
        log.warn("A node started with the configuration file of type {} that version {} gave, older than version {}'s:"
            + " not taken back (a node of an earlier deployment?); change it with PUT /api/v1/types/{}/rules or "
            + "/pipeline if meant", config.type(), earlier.version(), fromFile.version(), config.type());
        return Effect().reply(sync.replyTo(), history);
      }
    }
    Sources sources = file;
    if (fromFile != null) {
      Sources before = fromFile.file();
      Version latest = history.latest();
      sources = latest.sources();
      if (!file.anomalies().equals(before.anomalies())) {
        sources = sources.with(Part.RULES, file.anomalies());
      }
      if (!file.pipeline().equals(before.pipeline())) {
        sources = sources.with(Part.PIPELINE, file.pipeline());
      }
      if (latest.version() != fromFile.version()) { // operators changed it since the file last did
        String parts = file.anomalies().equals(before.anomalies()) ? "pipeline"
            : file.pipeline().equals(before.pipeline()) ? "rules" : "rules and pipeline";
        log.warn("A node's configuration file changes the {} of type {}: what operators set there since version {} is"
            + " replaced (version {} is the current one)", parts, config.type(), fromFile.version(), latest.version());
      }
    }
    Version next = new Version(history.versions().size() + 1, sources, Version.FILE, FILE_AUTHOR, sync.at(), file);
    return Effect().persist(new VersionAdded(next))
        .thenRun(this::publish)
        .thenReply(sync.replyTo(), h -> h);
  }

  private ReplyEffect<Event, History> onChange(History history, Change change) {
    Version latest = history.latest();
    if (latest == null) {
      return Effect().reply(change.replyTo(),
          StatusReply.error("type " + config.type() + " has no configuration yet: no node has started with it"));
    }
    Sources sources = latest.sources().with(change.part(), change.source());
    if (sources.equals(latest.sources())) {
      return Effect().reply(change.replyTo(), StatusReply.success(history)); // nothing changes: no new version
    }
    try {
      config.compile(sources);
    } catch (IllegalArgumentException e) {
      return Effect().reply(change.replyTo(), StatusReply.error(e.getMessage()));
    }
    Version next = new Version(history.versions().size() + 1, sources,
        change.part() == Part.RULES ? "rules" : "pipeline", change.by(), change.at());
    return Effect().persist(new VersionAdded(next))
        .thenRun(this::publish)
        .thenReply(change.replyTo(), StatusReply::success);
  }

  /** Every node's {@link TypeConfigSync} takes the history in; one that misses it asks again. */
  private void publish(History history) {
    topic.tell(Topic.publish(history));
  }

  @Override
  public EventHandler<History, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(VersionAdded.class, (history, added) -> {
          List<Version> versions = new ArrayList<>(history.versions());
          versions.add(added.version());
          return new History(history.type(), versions);
        })
        .build();
  }
}
