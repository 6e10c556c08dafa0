package io.tidewatch.sharding;

import io.tidewatch.persistence.state.EntityState;
import io.tidewatch.persistence.state.EntityTypeConfig;
import io.tidewatch.persistence.state.EntityTypes;
import io.tidewatch.persistence.state.RecordPlan;
import io.tidewatch.protocol.EntityProtocol.Command;
import io.tidewatch.protocol.EntityProtocol.Event;
import io.tidewatch.protocol.EntityProtocol.GetState;
import io.tidewatch.protocol.EntityProtocol.RecordAck;
import io.tidewatch.protocol.EntityProtocol.RecordReadings;
import io.tidewatch.protocol.EntityProtocol.WindowClosed;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * One sensor or user: an event-sourced actor that records its readings, keeps its event-time windows and
 * watermark, and acknowledges each batch only once it is journaled. Redelivered Kafka records are acknowledged
 * without effect. The state and how events change it live in {@link EntityState}, shared with the audit replay.
 */
public final class TrackedEntity
    extends EventSourcedBehaviorWithEnforcedReplies<Command, Event, EntityState> {

  /** Slices for the projections of closed windows (and, later, alerts). Never change the count without a migration. */
  public static final List<String> TAGS = List.of("tidewatch-0", "tidewatch-1", "tidewatch-2", "tidewatch-3");

  private final ActorContext<Command> context;
  private final EntityTypeConfig config;
  private final String entityId;
  private final Set<String> tags;

  public static EntityTypeKey<Command> typeKey(String entityType) {
    return EntityTypeKey.create(Command.class, entityType);
  }

  /** Registers one sharded entity type per configured type. */
  public static void init(ActorSystem<?> system, EntityTypes types) {
    ClusterSharding sharding = ClusterSharding.get(system);
    for (EntityTypeConfig config : types.byName().values()) {
      sharding.init(
          Entity.of(typeKey(config.type()), ctx -> create(config, ctx.getEntityId())));
    }
  }

  public static Behavior<Command> create(EntityTypeConfig config, String entityId) {
    return Behaviors.setup(ctx -> new TrackedEntity(ctx, config, entityId));
  }

  private TrackedEntity(ActorContext<Command> context, EntityTypeConfig config, String entityId) {
    super(
        PersistenceId.of(config.type(), entityId),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.1));
    this.context = context;
    this.config = config;
    this.entityId = entityId;
    this.tags = Set.of(TAGS.get(Math.abs(entityId.hashCode() % TAGS.size())));
  }

  @Override
  public EntityState emptyState() {
    return new EntityState(config, entityId);
  }

  @Override
  public CommandHandlerWithReply<Command, Event, EntityState> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(RecordReadings.class, this::onRecordReadings)
        .onCommand(GetState.class, this::onGetState)
        .build();
  }

  private ReplyEffect<Event, EntityState> onRecordReadings(EntityState state, RecordReadings cmd) {
    RecordPlan plan = RecordPlan.of(state, cmd.readings());
    if (plan.events().isEmpty()) {
      return Effect().reply(cmd.replyTo(), new RecordAck(0, 0)); // an empty batch: nothing to journal
    }
    return Effect()
        .persist(plan.events())
        .thenReply(cmd.replyTo(), s -> new RecordAck(plan.recorded(), plan.duplicates()));
  }

  private ReplyEffect<Event, EntityState> onGetState(EntityState state, GetState cmd) {
    return Effect().reply(cmd.replyTo(), state.toView(lastSequenceNumber(context)));
  }

  @Override
  public EventHandler<EntityState, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(EntityState::apply);
  }

  /** Only closed windows feed the output projections; readings stay out of the tag views (they are the bulk). */
  @Override
  public Set<String> tagsFor(Event event) {
    return event instanceof WindowClosed ? tags : Set.of();
  }
}
