package io.tidewatch.sharding;

import io.tidewatch.persistence.projection.OutputTags;
import io.tidewatch.persistence.readside.EntityIndex;
import io.tidewatch.persistence.state.EntitySnapshot;
import io.tidewatch.persistence.state.EntityState;
import io.tidewatch.persistence.state.EntityTypeConfig;
import io.tidewatch.persistence.state.EntityTypes;
import io.tidewatch.persistence.state.RecordPlan;
import io.tidewatch.protocol.EntityProtocol.AlertsReply;
import io.tidewatch.protocol.EntityProtocol.AnomalyDetected;
import io.tidewatch.protocol.EntityProtocol.CloseIdleWindows;
import io.tidewatch.protocol.EntityProtocol.Command;
import io.tidewatch.protocol.EntityProtocol.Event;
import io.tidewatch.protocol.EntityProtocol.GetAlerts;
import io.tidewatch.protocol.EntityProtocol.GetState;
import io.tidewatch.protocol.EntityProtocol.GetWindows;
import io.tidewatch.protocol.EntityProtocol.Listed;
import io.tidewatch.protocol.EntityProtocol.Passivate;
import io.tidewatch.protocol.EntityProtocol.RecordAck;
import io.tidewatch.protocol.EntityProtocol.RecordReadings;
import io.tidewatch.protocol.EntityProtocol.WindowClosed;
import io.tidewatch.protocol.EntityProtocol.WindowsReply;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.external.ExternalShardAllocationStrategy;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One sensor or user: an event-sourced actor that records its readings, keeps its event-time windows, watermark
 * and anomaly rules, and acknowledges each batch only once it is journaled. Redelivered Kafka records are
 * acknowledged without effect. When it hears nothing, it closes its due windows after the type's idle-close
 * time, then passivates. The state and how events change it live in {@link EntityState}, shared with the audit
 * replay.
 */
public final class TrackedEntity
    extends EventSourcedBehaviorWithEnforcedReplies<Command, Event, EntityState> {

  private static final String SILENCE_TIMER = "silence";
  private static final int SNAPSHOT_EVERY = 100;
  private static final int SNAPSHOTS_KEPT = 2;

  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final EntityTypeConfig config;
  private final EntitySettings settings;
  private final String entityId;
  private final Set<String> tags;
  private final Optional<ActorRef<ClusterSharding.ShardCommand>> shard;
  private final Clock clock;
  private final EntityMetrics metrics;
  private final EntityIndex index;
  private boolean listing; // the read side is writing this new entity's listing; commands wait
  private boolean listed;
  private long lastHeardMs;
  private boolean running; // recovered, so counted among the active entities

  public static EntityTypeKey<Command> typeKey(String entityType) {
    return EntityTypeKey.create(Command.class, entityType);
  }

  /** Registers one sharded entity type per configured type. */
  public static void init(ActorSystem<?> system, EntityTypes types, EntitySettings settings, EntityIndex index) {
    ClusterSharding sharding = ClusterSharding.get(system);
    for (EntityTypeConfig config : types.byName().values()) {
      sharding.init(
          Entity.of(
                  typeKey(config.type()),
                  ctx -> create(config, settings, index, ctx.getEntityId(), Optional.of(ctx.getShard()), Clock.systemUTC()))
              .withMessageExtractor(new PartitionShards(settings.partitions()))
              .withAllocationStrategy(new ReachableShardAllocation(system,
                  ExternalShardAllocationStrategy.create(system, config.type(), settings.allocationTimeout()))));
    }
  }

  /** @param shard where to ask for passivation; empty outside sharding (tests) */
  public static Behavior<Command> create(
      EntityTypeConfig config,
      EntitySettings settings,
      EntityIndex index,
      String entityId,
      Optional<ActorRef<ClusterSharding.ShardCommand>> shard,
      Clock clock) {
    // Every log line of the entity names it (the MDC reaches the JSON logs).
    return Behaviors.withMdc(
        Command.class,
        Map.of("entityType", config.type(), "entityId", entityId),
        Behaviors.setup(ctx ->
            Behaviors.withTimers(timers -> new TrackedEntity(ctx, timers, config, settings, index, entityId, shard, clock))));
  }

  private TrackedEntity(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      EntityTypeConfig config,
      EntitySettings settings,
      EntityIndex index,
      String entityId,
      Optional<ActorRef<ClusterSharding.ShardCommand>> shard,
      Clock clock) {
    super(
        PersistenceId.of(config.type(), entityId),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.1));
    this.context = context;
    this.timers = timers;
    this.config = config;
    this.settings = settings;
    this.index = index;
    this.entityId = entityId;
    this.tags = Set.of(OutputTags.tagFor(entityId));
    this.shard = shard;
    this.clock = clock;
    this.metrics = EntityMetrics.of(config.type());
    this.lastHeardMs = clock.millis();
  }

  /** After recovery, watch for silence: an entity stopped with open windows (rebalance, restart) must close them. */
  @Override
  public SignalHandler<EntityState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> {
          if (!running) { // a restart after a failure recovers again, in the same actor
            running = true;
            metrics.started();
          }
          watchSilence(state);
        })
        .onSignal(PostStop.instance(), state -> {
          if (running) {
            metrics.stopped();
          }
        })
        .build();
  }

  @Override
  public EntityState emptyState() {
    return EntityState.initial(config, entityId); // kept by Pekko across restarts: never changed
  }

  @Override
  public CommandHandlerWithReply<Command, Event, EntityState> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(RecordReadings.class, this::onRecordReadings)
        .onCommand(GetState.class, this::onGetState)
        .onCommand(GetWindows.class, this::onGetWindows)
        .onCommand(GetAlerts.class, this::onGetAlerts)
        .onCommand(CloseIdleWindows.class, this::onCloseIdleWindows)
        .onCommand(Passivate.class, this::onPassivate)
        .onCommand(Listed.class, this::onListed)
        .build();
  }

  private ReplyEffect<Event, EntityState> onRecordReadings(EntityState state, RecordReadings cmd) {
    if (lastSequenceNumber(context) == 0 && !listed && !cmd.readings().isEmpty()) {
      return listFirst();
    }
    lastHeardMs = clock.millis();
    RecordPlan plan = RecordPlan.of(state, cmd.topic(), cmd.readings(), lastSequenceNumber(context), lastHeardMs);
    if (plan.events().isEmpty()) {
      return Effect().reply(cmd.replyTo(), new RecordAck(0, 0)); // an empty batch: nothing to journal
    }
    long started = System.nanoTime();
    long lateBefore = state.lateReadings();
    return Effect()
        .persist(plan.events())
        .thenRun(s -> metrics.persisted(started, plan.events(), s.lateReadings() - lateBefore))
        .thenRun(this::watchSilence)
        .thenReply(cmd.replyTo(), s -> new RecordAck(plan.recorded(), plan.duplicates()));
  }

  /**
   * A new entity lists itself in the read side before it journals anything, so every entity with a journal is
   * listed; its commands wait meanwhile (stashed, in order). If the listing fails, the entity stops with nothing
   * journaled: its asks go unanswered, the ingest redelivers, and the shard starts a new incarnation that tries again.
   */
  private ReplyEffect<Event, EntityState> listFirst() {
    if (!listing) {
      listing = true;
      CompletionStage<?> written = index.register(config.type(), entityId, clock.millis());
      context.pipeToSelf(written, (ok, failure) -> new Listed(failure == null ? null : failure.toString()));
    }
    return Effect().stash();
  }

  private ReplyEffect<Event, EntityState> onListed(EntityState state, Listed result) {
    listing = false;
    if (result.failure() != null) {
      context.getLog().warn("Stopping: could not list the entity in the read side: {}", result.failure());
      return Effect().stop().thenNoReply();
    }
    listed = true;
    return Effect().noReply().thenUnstashAll();
  }

  private ReplyEffect<Event, EntityState> onGetState(EntityState state, GetState cmd) {
    return Effect().reply(cmd.replyTo(), state.toView(lastSequenceNumber(context)));
  }

  private ReplyEffect<Event, EntityState> onGetWindows(EntityState state, GetWindows q) {
    return Effect()
        .reply(
            q.replyTo(),
            new WindowsReply(
                state.closedWindows(q.spec(), q.metric(), q.from(), q.to(), q.limit()),
                state.windowsForgotten(q.spec()),
                lastSequenceNumber(context)));
  }

  private ReplyEffect<Event, EntityState> onGetAlerts(EntityState state, GetAlerts q) {
    return Effect()
        .reply(
            q.replyTo(),
            new AlertsReply(state.alerts(q.from(), q.to(), q.limit()), state.alertsForgotten(), lastSequenceNumber(context)));
  }

  /** Silence for the idle-close time: event time moves on with processing time, so due windows close. */
  private ReplyEffect<Event, EntityState> onCloseIdleWindows(EntityState state, CloseIdleWindows cmd) {
    RecordPlan plan = RecordPlan.idle(state, clock.millis() - lastHeardMs);
    if (plan.events().isEmpty()) {
      watchSilence(state);
      return Effect().noReply();
    }
    long started = System.nanoTime();
    return Effect()
        .persist(plan.events())
        .thenRun(s -> metrics.persisted(started, plan.events(), 0))
        .thenRun(this::watchSilence)
        .thenNoReply();
  }

  private ReplyEffect<Event, EntityState> onPassivate(EntityState state, Passivate cmd) {
    shard.ifPresent(s -> s.tell(new ClusterSharding.Passivate<>(context.getSelf())));
    return Effect().noReply();
  }

  /** While windows are open, wake up to close them after silence; with none, passivate after silence. */
  private void watchSilence(EntityState state) {
    if (state.hasOpenWindows()) {
      timers.startSingleTimer(SILENCE_TIMER, CloseIdleWindows.INSTANCE, Duration.ofMillis(config.idleCloseMs()));
    } else {
      timers.startSingleTimer(SILENCE_TIMER, Passivate.INSTANCE, settings.passivateAfter());
    }
  }

  @Override
  public EventHandler<EntityState, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(EntityState::apply);
  }

  /**
   * Only closed windows and alerts feed the projections (output topics, read side); readings stay out of the tag
   * views (the bulk), and so do registrations: the entity lists itself ({@link #listFirst}). Each tagged event
   * costs a tag-view row, tag-progress bookkeeping and a read by every projection.
   */
  @Override
  public Set<String> tagsFor(Event event) {
    return event instanceof WindowClosed || event instanceof AnomalyDetected ? tags : Set.of();
  }

  /** Snapshots every {@value #SNAPSHOT_EVERY} events, keeping two; events are never deleted (auditors need them). */
  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(SNAPSHOT_EVERY, SNAPSHOTS_KEPT);
  }

  @Override
  public SnapshotAdapter<EntityState> snapshotAdapter() {
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(EntityState state) {
        return EntitySnapshot.of(state);
      }

      @Override
      public EntityState fromJournal(Object from) {
        return ((EntitySnapshot) from).restore(config, entityId);
      }
    };
  }
}
