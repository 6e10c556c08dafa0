package io.tidewatch.sharding;

import io.tidewatch.persistence.state.EntityTypeConfig;
import io.tidewatch.persistence.state.EntityTypes;
import io.tidewatch.persistence.state.LiveTypes;
import io.tidewatch.persistence.state.TypeVersions;
import io.tidewatch.protocol.TypeConfigProtocol.Change;
import io.tidewatch.protocol.TypeConfigProtocol.GetHistory;
import io.tidewatch.protocol.TypeConfigProtocol.History;
import io.tidewatch.protocol.TypeConfigProtocol.Part;
import io.tidewatch.protocol.TypeConfigProtocol.Sources;
import io.tidewatch.protocol.TypeConfigProtocol.SyncFile;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.pattern.StatusReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this node's {@link LiveTypes} up to date with the types' configuration entities ({@link TypeConfigEntity}):
 * at start it hands each entity the configuration file's version ({@link #syncFile}) and takes in the history; then
 * each new version reaches it through a cluster pub-sub topic the entities publish to, within milliseconds. A
 * message that topic loses (it delivers at most once) is made good by asking every {@link #REFRESH_EVERY}, and at
 * once when an entity waits for a version the node has not heard of ({@link TypeVersions#onMissing}).
 */
public final class TypeConfigSync {

  private static final Logger log = LoggerFactory.getLogger(TypeConfigSync.class);
  static final String TOPIC = "tidewatch-type-config";
  static final Duration REFRESH_EVERY = Duration.ofSeconds(30);

  private final ActorSystem<?> system;
  private final LiveTypes live;
  private final Duration askTimeout;
  private final Clock clock;
  private final Map<String, Boolean> fetching = new ConcurrentHashMap<>();

  private TypeConfigSync(ActorSystem<?> system, LiveTypes live, Duration askTimeout, Clock clock) {
    this.system = system;
    this.live = live;
    this.askTimeout = askTimeout;
    this.clock = clock;
  }

  /** Starts the configuration entities' sharding and this node's listener; call before the entity types' sharding. */
  public static TypeConfigSync start(ActorSystem<?> system, EntityTypes types, LiveTypes live, Duration askTimeout) {
    ActorRef<Topic.Command<History>> topic =
        system.systemActorOf(Topic.create(History.class, TOPIC), "tidewatch-type-config-topic", Props.empty());
    TypeConfigSync sync = new TypeConfigSync(system, live, askTimeout, Clock.systemUTC());
    system.systemActorOf(sync.listener(topic), "tidewatch-type-config-listener", Props.empty());
    TypeConfigEntity.init(system, types, topic);
    live.byType().values().forEach(versions -> versions.onMissing(sync::fetch));
    return sync;
  }

  /** Refreshing asks each type's entity in turn; a timer message, no more. */
  private enum Refresh {
    INSTANCE
  }

  private Behavior<Object> listener(ActorRef<Topic.Command<History>> topic) {
    return Behaviors.setup(ctx -> {
      topic.tell(Topic.subscribe(ctx.getSelf().narrow()));
      return Behaviors.withTimers(timers -> {
        timers.startTimerWithFixedDelay(Refresh.INSTANCE, REFRESH_EVERY);
        return Behaviors.receiveMessage(message -> {
          if (message instanceof History history) {
            take(history);
          } else if (message == Refresh.INSTANCE) {
            live.byType().keySet().forEach(this::fetch);
          }
          return Behaviors.same();
        });
      });
    });
  }

  /**
   * Hands each type's entity the configuration file's version ({@code files}, by type) and takes in the histories:
   * done once the node knows every version there is, which must precede anything that folds an entity's journal.
   */
  public CompletionStage<Void> syncFile(Map<String, Sources> files) {
    CompletableFuture<?>[] synced = files.entrySet().stream()
        .map(file -> TypeConfigEntity.ref(system, file.getKey())
            .<History>ask(replyTo -> new SyncFile(file.getValue(), clock.millis(), replyTo), askTimeout)
            .thenAccept(this::take)
            .toCompletableFuture())
        .toArray(CompletableFuture[]::new);
    return CompletableFuture.allOf(synced);
  }

  /** An operator's change: the new history once journaled (and known on this node), or why it was refused. */
  public CompletionStage<History> change(String type, Part part, String source, String by) {
    String canonical;
    try {
      canonical = EntityTypeConfig.canonical(source);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(
          new StatusReply.ErrorMessage((part == Part.RULES ? "anomalies" : "pipeline") + ": " + e.getMessage()));
    }
    return TypeConfigEntity.ref(system, type)
        .<History>askWithStatus(replyTo -> new Change(part, canonical, by, clock.millis(), replyTo), askTimeout)
        .thenApply(history -> {
          take(history);
          return history;
        });
  }

  /** The type's versions as its entity has them (the journal's, not this node's). */
  public CompletionStage<History> history(String type) {
    return TypeConfigEntity.ref(system, type).ask(GetHistory::new, askTimeout);
  }

  /** One fetch per type at a time: thousands of entities waiting for one version ask the entity once. */
  private void fetch(String type) {
    if (fetching.putIfAbsent(type, Boolean.TRUE) != null) {
      return;
    }
    history(type).whenComplete((history, failure) -> {
      fetching.remove(type);
      if (failure != null) {
        log.warn("Could not read the configuration versions of type {}: {}", type, failure.toString());
      } else {
        take(history);
      }
    });
  }

  private void take(History history) {
    TypeVersions versions = live.byType().get(history.type());
    if (versions == null) {
      return; // a type this node does not run
    }
    boolean live = versions.isHeard(); // else: the history this node starts with
    TypeVersions.Update update = versions.update(history);
    update.failed().forEach((version, reason) -> log.error(
        "Version {} of the configuration of type {} does not compile on this node: {}", version, history.type(), reason));
    long now = clock.millis();
    for (TypeVersions.Live added : live ? update.added() : List.<TypeVersions.Live>of()) { // how long a change takes
      log.info("Type {}: version {} ({} by {}) known on this node, {} ms after it was made", history.type(),
          added.number(), added.version().change(), added.version().by(), now - added.version().at());
    }
  }

  /** The versions this node knows, for each type. */
  public LiveTypes live() {
    return live;
  }
}
