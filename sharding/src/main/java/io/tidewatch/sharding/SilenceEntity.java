package io.tidewatch.sharding;

import io.tidewatch.protocol.SilenceProtocol.Command;
import io.tidewatch.protocol.SilenceProtocol.CreateSilence;
import io.tidewatch.protocol.SilenceProtocol.Event;
import io.tidewatch.protocol.SilenceProtocol.ExpireSilence;
import io.tidewatch.protocol.SilenceProtocol.GetSilences;
import io.tidewatch.protocol.SilenceProtocol.Silence;
import io.tidewatch.protocol.SilenceProtocol.SilenceCreated;
import io.tidewatch.protocol.SilenceProtocol.SilenceExpired;
import io.tidewatch.protocol.SilenceProtocol.SilenceList;
import io.tidewatch.protocol.CborSerializable;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
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
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * The silences of the whole cluster, journaled in the node's Cassandra journal ({@code silences|all}): created and
 * expired by operators over the API, read by every node's notifier.
 *
 * <p>One sharded entity type with a single id rather than a cluster singleton: sharding already runs on every node,
 * places the entity on one of them, moves and recovers it when that node goes, and lets any node ask it through an
 * {@link EntityRef} with no proxy to set up; silences are few and rarely written, so one actor is plenty.
 *
 * <p>Expired silences are kept for {@link #EXPIRED_KEPT} (Alertmanager keeps its own for 120 h), so operators can
 * see what was muted lately; older ones are dropped from the state when a silence is created (the journal keeps all).
 */
public final class SilenceEntity extends EventSourcedBehaviorWithEnforcedReplies<Command, Event, SilenceEntity.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "silences");
  public static final String ID = "all";
  static final Duration EXPIRED_KEPT = Duration.ofDays(5);

  /** The silences kept, by id in creation order. */
  public record State(Map<String, Silence> silences) implements CborSerializable {
    public State {
      silences = Map.copyOf(silences);
    }

    static final State EMPTY = new State(Map.of());

    List<Silence> inOrder() {
      return silences.values().stream()
          .sorted((a, b) -> a.startsAt() != b.startsAt() ? Long.compare(a.startsAt(), b.startsAt()) : a.id().compareTo(b.id()))
          .toList();
    }

    State with(Silence silence) {
      Map<String, Silence> next = new LinkedHashMap<>();
      long keptFrom = silence.startsAt() - EXPIRED_KEPT.toMillis();
      silences.values().stream().filter(s -> s.endsAt() >= keptFrom).forEach(s -> next.put(s.id(), s));
      next.put(silence.id(), silence);
      return new State(next);
    }

    State expired(String id, long at) {
      Map<String, Silence> next = new LinkedHashMap<>(silences);
      next.computeIfPresent(id, (k, s) -> s.endedAt(at));
      return new State(next);
    }
  }

  public static void init(ActorSystem<?> system) {
    ClusterSharding.get(system).init(Entity.of(ENTITY_KEY, ctx -> create(ctx.getEntityId())));
  }

  /** The one silences entity, from any node. */
  public static EntityRef<Command> ref(ActorSystem<?> system) {
    return ClusterSharding.get(system).entityRefFor(ENTITY_KEY, ID);
  }

  public static Behavior<Command> create(String id) {
    return new SilenceEntity(id);
  }

  private SilenceEntity(String id) {
    super(PersistenceId.of(ENTITY_KEY.name(), id),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.1));
  }

  @Override
  public State emptyState() {
    return State.EMPTY;
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(CreateSilence.class, this::onCreate)
        .onCommand(ExpireSilence.class, this::onExpire)
        .onCommand(GetSilences.class, (state, get) -> Effect().reply(get.replyTo(), new SilenceList(state.inOrder())))
        .build();
  }

  private ReplyEffect<Event, State> onCreate(State state, CreateSilence create) {
    Silence silence = create.silence();
    Silence existing = state.silences().get(silence.id());
    if (existing != null) {
      return existing.equals(silence)
          ? Effect().reply(create.replyTo(), StatusReply.success(existing)) // a retried request: nothing new
          : Effect().reply(create.replyTo(), StatusReply.error("silence id '" + silence.id() + "' is taken"));
    }
    if (silence.matchers() == null || silence.matchers().isEmpty()) {
      return Effect().reply(create.replyTo(), StatusReply.error("a silence needs at least one matcher"));
    }
    if (silence.endsAt() <= silence.startsAt()) {
      return Effect().reply(create.replyTo(), StatusReply.error("a silence must end after it starts"));
    }
    return Effect().persist(new SilenceCreated(silence))
        .thenReply(create.replyTo(), s -> StatusReply.success(s.silences().get(silence.id())));
  }

  private ReplyEffect<Event, State> onExpire(State state, ExpireSilence expire) {
    Silence silence = state.silences().get(expire.silenceId());
    if (silence == null) {
      return Effect().reply(expire.replyTo(), StatusReply.error("no silence '" + expire.silenceId() + "'"));
    }
    if (silence.endsAt() <= expire.at()) {
      return Effect().reply(expire.replyTo(), StatusReply.success(silence)); // ended already: nothing to journal
    }
    return Effect().persist(new SilenceExpired(silence.id(), expire.at()))
        .thenReply(expire.replyTo(), s -> StatusReply.success(s.silences().get(silence.id())));
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(SilenceCreated.class, (state, e) -> state.with(e.silence()))
        .onEvent(SilenceExpired.class, (state, e) -> state.expired(e.silenceId(), e.at()))
        .build();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(100, 2);
  }
}
