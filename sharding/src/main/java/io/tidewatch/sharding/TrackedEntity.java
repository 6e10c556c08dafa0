package io.tidewatch.sharding;

import io.tidewatch.persistence.output.OutputSink;
import io.tidewatch.persistence.readside.EntityIndex;
import io.tidewatch.persistence.state.EntitySnapshot;
import io.tidewatch.persistence.state.EntityState;
import io.tidewatch.persistence.state.EntityTypeConfig;
import io.tidewatch.persistence.state.LiveTypes;
import io.tidewatch.persistence.state.TypeVersions;
import io.tidewatch.protocol.EntityProtocol;
import io.tidewatch.persistence.state.RecordPlan;
import io.tidewatch.protocol.EntityProtocol.Command;
import io.tidewatch.protocol.EntityProtocol.Event;
import io.tidewatch.protocol.EntityProtocol.ExpireState;
import io.tidewatch.protocol.EntityProtocol.GetState;
import io.tidewatch.protocol.EntityProtocol.InternalCommand;
import io.tidewatch.protocol.EntityProtocol.IdleOutputsPublished;
import io.tidewatch.protocol.EntityProtocol.RecordAck;
import io.tidewatch.protocol.EntityProtocol.Outputs;
import io.tidewatch.protocol.EntityProtocol.RecordReadings;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.BackoffSupervisorStrategy;
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
import org.apache.pekko.persistence.typed.RecoveryFailed;
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
 * acknowledged without effect. Each acknowledgement carries the outputs (closed windows, alerts) the asker publishes
 * before it commits. When it hears nothing, it closes its due windows after the type's idle-close time and
 * publishes those itself, then passivates. The state and how events change it live in {@link EntityState}, shared with the audit
 * replay.
 */
public final class TrackedEntity
    extends EventSourcedBehaviorWithEnforcedReplies<Command, Event, EntityState> {

  private static final String SILENCE_TIMER = "silence";
  private static final String ABSENCE_TIMER = "absence";
  private static final String REPUBLISH_TIMER = "republish";
  private static final Duration REPUBLISH_AFTER = Duration.ofSeconds(2);
  /** How long stashed commands wait for a configuration version before they are handled (and wait) again. */
  private static final Duration VERSION_WAIT = Duration.ofSeconds(10);
  /** Messages an entity started before the node heard its type's history keeps until it has (a few asks). */
  private static final int BOOT_STASH = 1_000;
  private static final int SNAPSHOT_EVERY = 100;
  private static final int SNAPSHOTS_KEPT = 2;
  /** A failed journal write stops the entity; it recovers from the journal after a backoff. Shared: it is immutable. */
  private static final BackoffSupervisorStrategy ON_PERSIST_FAILURE =
      SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.1);

  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final EntityTypeConfig config;
  private final TypeVersions versions;
  private final EntitySettings settings;
  private final String entityId;
  private final Optional<ActorRef<ClusterSharding.ShardCommand>> shard;
  private final Clock clock;
  private final EntityMetrics metrics;
  private final EntityIndex index;
  private final OutputSink outputs;
  private boolean publishing; // windows closed by the idle timer are being published
  private boolean outputsMarked; // the entity index says this entity has unpublished outputs
  private long lastHeardMs;
  /** False while {@link #lastHeardMs} is only the recovery: no reading, journal or expiry row told it better. */
  private boolean heardKnown;
  private boolean expiryIndexed; // this incarnation recorded in the entity index when its state expires
  private boolean running; // recovered, so counted among the active entities
  private final FoldedEvents folded = new FoldedEvents();
  private boolean awaitingVersion; // commands wait in the stash until this node knows their configuration version

  /** Timer: nothing arrived for the idle-close time, so close the windows that silence makes due. */
  private enum CloseIdleWindows implements InternalCommand {
    INSTANCE
  }

  /** Timer: silent with no open windows, so ask the shard to stop this entity until it is needed. */
  private enum Passivate implements InternalCommand {
    INSTANCE
  }

  /** Timer: nothing arrived for the type's silent-after time, so raise the silence (IncidentPolicy.SILENT). */
  private enum RaiseSilence implements InternalCommand {
    INSTANCE
  }

  /** Timer: publish again what the entity journaled without an ask, after a failed publication. */
  private enum RepublishIdleOutputs implements InternalCommand {
    INSTANCE
  }

  /** The node heard the type's configuration history: an entity started before that may recover now. */
  private enum VersionsHeard implements InternalCommand {
    INSTANCE
  }

  /** The version of the type's configuration that stashed commands wait for arrived on this node, or not in time. */
  private record VersionArrived(int number, String failure) implements InternalCommand {}

  /**
   * The entity index holds when this entity expires as of sequence number {@code seqNr}, or not ({@code failure});
   * then the entity passivates if {@code passivate} and it journaled nothing since.
   */
  private record ExpiryRecorded(long seqNr, boolean passivate, String failure) implements InternalCommand {}

  /** What the entity published of its own outputs ({@code sent}) reached the outputs, or not. */
  private record IdleOutputsSent(Outputs sent, String failure) implements InternalCommand {}

  /**
   * The entity index marks this entity as having unpublished outputs, or not ({@code failure} says why); then
   * {@code next} is handled again: the timer that will journal outputs no ask carries.
   */
  private record OutputsMarked(String failure, InternalCommand next) implements InternalCommand {}

  public static EntityTypeKey<Command> typeKey(String entityType) {
    return EntityTypeKey.create(Command.class, entityType);
  }

  /** Registers one sharded entity type per configured type. */
  public static void init(
      ActorSystem<?> system, LiveTypes types, EntitySettings settings, EntityIndex index, OutputSink outputs) {
    ClusterSharding sharding = ClusterSharding.get(system);
    for (TypeVersions versions : types.byType().values()) {
      EntityTypeConfig config = versions.config();
      EntityMetrics.of(config.type()); // its series exist from the start, at 0, so a rate sees its first change
      sharding.init(
          Entity.of(
                  typeKey(config.type()),
                  ctx -> create(versions, settings, index, outputs, ctx.getEntityId(), Optional.of(ctx.getShard()),
                      Clock.systemUTC()))
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
      OutputSink outputs,
      String entityId,
      Optional<ActorRef<ClusterSharding.ShardCommand>> shard,
      Clock clock) {
    return create(TypeVersions.of(config), settings, index, outputs, entityId, shard, clock);
  }

  /** An entity of a type whose live configuration has {@code versions}. */
  public static Behavior<Command> create(
      TypeVersions versions,
      EntitySettings settings,
      EntityIndex index,
      OutputSink outputs,
      String entityId,
      Optional<ActorRef<ClusterSharding.ShardCommand>> shard,
      Clock clock) {
    Behavior<Command> entity = Behaviors.setup(ctx ->
        Behaviors.withTimers(timers -> new TrackedEntity(ctx, timers, versions, settings, index, outputs, entityId, shard, clock)));
    if (versions.isHeard()) {
      return entity;
    }
    // Started before the node heard the type's configuration history (its first seconds): a journal may name
    // versions it does not know yet, so the entity recovers only once it has, and its messages wait until then.
    return Behaviors.withStash(BOOT_STASH, stash -> Behaviors.setup(ctx -> {
      ctx.pipeToSelf(versions.heard(), (ok, failure) -> VersionsHeard.INSTANCE);
      return Behaviors.receiveMessage(message -> {
        if (message == VersionsHeard.INSTANCE) {
          return stash.unstashAll(entity);
        }
        if (stash.isFull()) { // an ask left unanswered times out, and the ingest sends it again
          ctx.getLog().warn("{}/{}: dropped {} while its node has not heard the type's configuration versions",
              versions.type(), entityId, message.getClass().getSimpleName());
        } else {
          stash.stash(message);
        }
        return Behaviors.same();
      });
    }));
  }

  private TrackedEntity(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      TypeVersions versions,
      EntitySettings settings,
      EntityIndex index,
      OutputSink outputs,
      String entityId,
      Optional<ActorRef<ClusterSharding.ShardCommand>> shard,
      Clock clock) {
    super(PersistenceId.of(versions.type(), entityId), ON_PERSIST_FAILURE);
    this.context = context;
    this.timers = timers;
    this.versions = versions;
    this.config = versions.config();
    this.settings = settings;
    this.index = index;
    this.outputs = outputs;
    this.entityId = entityId;
    this.shard = shard;
    this.clock = clock;
    this.metrics = EntityMetrics.of(config.type());
    this.lastHeardMs = clock.millis();
  }

  /**
   * After recovery, watch for silence: an entity stopped with open windows (rebalance, restart) must close them; and
   * publish what the idle timer closed before a crash kept it from being published.
   */
  @Override
  public SignalHandler<EntityState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> {
          // When it last heard a reading comes from the journal (ReadingsRecorded#recordedAt), not from the entity
          // index: replay gives it deterministically, with no read to wait for, and it is right after a crash or a
          // handoff, where the index's row (written once per incarnation) may be older than the last readings.
          if (!heardKnown && state.lastRecordedAt() != 0) {
            lastHeardMs = state.lastRecordedAt();
            heardKnown = true;
          }
          expiryIndexed = false;
          if (!running) { // a restart after a failure recovers again, in the same actor
            running = true;
            metrics.started();
          }
          watchSilence(state);
          watchAbsence(state);
          outputsMarked = !state.idleOutputs().isEmpty(); // marked before they were journaled
          publishIdleOutputs(state);
        })
        .onSignal(RecoveryFailed.class, (state, failed) -> metrics.recoveryFailed())
        .onSignal(PostStop.instance(), state -> {
          if (running) {
            metrics.stopped();
          }
        })
        .build();
  }

  @Override
  public EntityState emptyState() {
    return EntityState.initial(versions, entityId); // kept by Pekko across restarts: never changed
  }

  @Override
  public CommandHandlerWithReply<Command, Event, EntityState> commandHandler() {
    // One case that dispatches itself: Pekko builds a handler per entity, and six cases cost ~0.5 KB of each.
    return newCommandHandlerWithReplyBuilder().forAnyState().onAnyCommand(this::onCommand);
  }

  private ReplyEffect<Event, EntityState> onCommand(EntityState state, Command command) {
    if (awaitingVersion && !(command instanceof GetState || command instanceof VersionArrived)) {
      // Everything waits behind the readings that wait for their version: the timers' silence, idle close,
      // passivation and expiry must not act as if they had not come.
      if (command instanceof RecordReadings) {
        lastHeardMs = clock.millis();
        heardKnown = true;
      }
      return Effect().stash();
    }
    if (command instanceof RecordReadings record) {
      return onRecordReadings(state, record);
    } else if (command instanceof GetState get) {
      return onGetState(state, get);
    } else if (command instanceof CloseIdleWindows close) {
      return onCloseIdleWindows(state, close);
    } else if (command instanceof Passivate passivate) {
      return onPassivate(state, passivate);
    } else if (command instanceof RaiseSilence raise) {
      return onRaiseSilence(state, raise);
    } else if (command instanceof RepublishIdleOutputs republish) {
      publishIdleOutputs(state);
      return Effect().noReply();
    } else if (command instanceof IdleOutputsSent sent) {
      return onIdleOutputsSent(state, sent);
    } else if (command instanceof OutputsMarked marked) {
      return onOutputsMarked(state, marked);
    } else if (command instanceof ExpireState expire) {
      return onExpireState(state, expire);
    } else if (command instanceof ExpiryRecorded recorded) {
      return onExpiryRecorded(state, recorded);
    } else if (command instanceof VersionArrived arrived) {
      return onVersionArrived(arrived);
    }
    throw new IllegalArgumentException("not a command of this entity: " + command);
  }

  private ReplyEffect<Event, EntityState> onRecordReadings(EntityState state, RecordReadings cmd) {
    int configVersion =
        cmd.configVersion() == EntityProtocol.LATEST_CONFIG ? versions.latest().number() : cmd.configVersion();
    if (versions.get(configVersion) == null) {
      String failure = versions.failure(configVersion);
      if (failure != null) { // no wait brings it (TypeConfigSync logs why): the ask times out, the ingest retries
        context.getLog().debug("{}/{}: cannot record readings of version {}: {}", config.type(), entityId,
            configVersion, failure);
        return Effect().noReply();
      }
      lastHeardMs = clock.millis();
      heardKnown = true;
      return awaitVersion(configVersion);
    }
    lastHeardMs = clock.millis();
    heardKnown = true;
    boolean wasExpired = state.expired(); // before the fold, which changes the state in place
    // Before the fold: a redelivery's outputs are those kept with the readings it repeats.
    Outputs earlier = state.outputsOf(cmd.topic(), cmd.readings());
    long lateBefore = state.lateReadings();
    // Silence as the journal knows it, so also right after a recovery: past the ttl, the state expires first.
    long silentMs = state.lastRecordedAt() == 0 ? 0 : lastHeardMs - state.lastRecordedAt();
    RecordPlan plan = folded.expect(RecordPlan.record(
        state, cmd.topic(), cmd.readings(), configVersion, lastSequenceNumber(context), lastHeardMs, silentMs));
    if (plan.journaled() == null) {
      return Effect().reply(cmd.replyTo(), new RecordAck(0, 0)); // an empty batch: nothing to journal
    }
    Outputs outputs = plan.outputs(earlier);
    long started = System.nanoTime();
    var persisted = Effect()
        .persist(plan.journaled())
        .thenRun(s -> metrics.persisted(started, plan.events(), s.lateReadings() - lateBefore))
        .thenRun(this::watchSilence)
        .thenRun(this::watchAbsence)
        .thenRun(this::indexExpiryOnce);
    if (wasExpired) { // once per expiry, not per command
      persisted = persisted.thenRun(this::unmarkExpired);
    }
    return persisted.thenReply(cmd.replyTo(),
        // The newest version this node knows: an ingest that named an older one catches up from it.
        s -> new RecordAck(plan.recorded(), plan.duplicates(), outputs, versions.latest().number()));
  }

  /**
   * The ingest named a version of the type's configuration this node has not heard of yet (it changed a moment ago,
   * on another node): the command, and every later one, waits in the stash until the version arrives, so that
   * readings are judged by the rules of the version whose pipeline shaped them and recorded in order; so do the
   * timers' commands, which must see those readings first. If it does not come, the asks time out as for any entity
   * that does not answer, and the ingest sends them again.
   */
  private ReplyEffect<Event, EntityState> awaitVersion(int number) {
    awaitingVersion = true;
    context.pipeToSelf(
          versions.await(number).toCompletableFuture().orTimeout(VERSION_WAIT.toMillis(), TimeUnit.MILLISECONDS),
          (live, failure) -> new VersionArrived(number, failure == null ? null : failure.toString()));
    return Effect().stash();
  }

  private ReplyEffect<Event, EntityState> onVersionArrived(VersionArrived arrived) {
    awaitingVersion = false;
    if (arrived.failure() != null) {
      context.getLog().warn("{}/{}: version {} of the type's configuration did not reach this node: {}",
          config.type(), entityId, arrived.number(), arrived.failure());
    }
    return Effect().none().thenNoReply().thenUnstashAll(); // each asks again for what it needs
  }

  private ReplyEffect<Event, EntityState> onGetState(EntityState state, GetState cmd) {
    return Effect().reply(cmd.replyTo(), state.toView(lastSequenceNumber(context)));
  }

  /** Silence for the idle-close time: event time moves on with processing time, so due windows close. */
  private ReplyEffect<Event, EntityState> onCloseIdleWindows(EntityState state, CloseIdleWindows cmd) {
    long silentMs = clock.millis() - lastHeardMs;
    if (!RecordPlan.closesAfterSilence(state, silentMs)) {
      watchSilence(state);
      clearOutputsMark(state);
      return Effect().noReply();
    }
    if (!outputsMarked) {
      return markOutputsPending(cmd);
    }
    RecordPlan plan = folded.expect(RecordPlan.idle(state, silentMs));
    long started = System.nanoTime();
    return Effect()
        .persist(plan.journaled())
        .thenRun(s -> metrics.persisted(started, plan.events(), 0))
        .thenRun(this::watchSilence)
        .thenRun(this::publishIdleOutputs)
        .thenNoReply();
  }

  /**
   * Silence for the type's silent-after time (processing time): a hit of the silent rule and the incident it opens,
   * journaled and then published by the entity itself. The entity's next reading resolves it.
   */
  private ReplyEffect<Event, EntityState> onRaiseSilence(EntityState state, RaiseSilence cmd) {
    long silentMs = clock.millis() - lastHeardMs;
    long silentAfterMs = config.anomalies().incidents().silentAfterMs();
    if (state.silenceRaised() || !config.anomalies().incidents().watchesSilence()) {
      return Effect().noReply();
    }
    if (silentMs < silentAfterMs) { // a reading came since the timer was set
      timers.startSingleTimer(ABSENCE_TIMER, RaiseSilence.INSTANCE, Duration.ofMillis(silentAfterMs - silentMs));
      return Effect().noReply();
    }
    if (!outputsMarked) {
      return markOutputsPending(cmd);
    }
    RecordPlan plan = folded.expect(RecordPlan.silence(state, silentMs, lastSequenceNumber(context), clock.millis()));
    if (plan.journaled() == null) {
      return Effect().noReply();
    }
    long started = System.nanoTime();
    return Effect()
        .persist(plan.journaled())
        .thenRun(s -> metrics.persisted(started, plan.events(), 0))
        .thenRun(this::watchSilence)
        .thenRun(this::publishIdleOutputs)
        .thenNoReply();
  }

  /** First mark in the index that outputs are pending, so a crash cannot hide them; then {@code next} again. */
  private ReplyEffect<Event, EntityState> markOutputsPending(InternalCommand next) {
    context.pipeToSelf(
        index.outputsPending(config.type(), entityId, true),
        (ok, failure) -> new OutputsMarked(failure == null ? null : failure.toString(), next));
    return Effect().noReply();
  }

  /**
   * No ask carries the windows the idle timer closed, nor what silence raised: once they are journaled the entity
   * publishes them itself, then journals that they are out ({@link IdleOutputsPublished}). A crash in between
   * publishes them again after recovery; a failure to publish tries again after {@link #REPUBLISH_AFTER}. One
   * publication at a time.
   */
  private void publishIdleOutputs(EntityState state) {
    Outputs pending = state.idleOutputs();
    if (publishing || pending.isEmpty()) {
      return;
    }
    publishing = true;
    context.pipeToSelf(
        outputs.publish(config.type(), entityId, pending),
        (ok, failure) -> new IdleOutputsSent(pending, failure == null ? null : failure.toString()));
  }

  private ReplyEffect<Event, EntityState> onOutputsMarked(EntityState state, OutputsMarked marked) {
    if (marked.failure() != null) {
      context.getLog().warn("{}/{}: could not mark outputs pending in the entity index, trying later: {}", config.type(), entityId, marked.failure());
      watchSilence(state);
      watchAbsence(state);
      return Effect().noReply();
    }
    outputsMarked = true;
    return onCommand(state, marked.next());
  }

  /** Nothing left to publish: clear the mark (if that write is lost, a node start wakes the entity for nothing). */
  private void clearOutputsMark(EntityState state) {
    if (outputsMarked && !publishing && state.idleOutputs().isEmpty()) {
      outputsMarked = false;
      index.outputsPending(config.type(), entityId, false);
    }
  }

  private ReplyEffect<Event, EntityState> onIdleOutputsSent(EntityState state, IdleOutputsSent sent) {
    publishing = false;
    Outputs out = sent.sent();
    if (sent.failure() != null) {
      context.getLog().warn("{}/{}: could not publish {} windows, {} alerts and {} incident transitions journaled in silence, trying again: {}",
          config.type(), entityId, out.windows().size(), out.alerts().size(), out.incidents().size(), sent.failure());
      timers.startSingleTimer(REPUBLISH_TIMER, RepublishIdleOutputs.INSTANCE, REPUBLISH_AFTER);
      return Effect().noReply();
    }
    return Effect()
        .persist(new IdleOutputsPublished(out.windows().size(), out.alerts().size(), out.incidents().size()))
        .thenRun(this::publishIdleOutputs)
        .thenRun(this::clearOutputsMark)
        .thenNoReply();
  }

  /**
   * Not while silence is watched and not raised yet: the absence timer must fire first (it passivates after). With a
   * state-ttl, the state expires now if it is due, else the entity index records when it will be before the entity
   * passivates: a passivated entity has no timer.
   */
  private ReplyEffect<Event, EntityState> onPassivate(EntityState state, Passivate cmd) {
    if (watchesAbsence(state)) {
      return Effect().noReply();
    }
    if (RecordPlan.expires(state, clock.millis() - lastHeardMs)) {
      return expire(state);
    }
    if (config.expiresState() && !state.expired() && lastSequenceNumber(context) > 0) {
      recordExpiry(true);
      return Effect().noReply();
    }
    passivate();
    return Effect().noReply();
  }

  private void passivate() {
    shard.ifPresent(s -> s.tell(new ClusterSharding.Passivate<>(context.getSelf())));
  }

  /**
   * The node's sweep found this entity due to expire in the entity index. What the journal or this incarnation
   * knows of its last reading decides; only a journal from before {@code recordedAt}, with nothing journaled since
   * the row, takes the row's last-heard time. A row that is not due is recorded again from what the entity knows. An
   * expired state, or one never recorded, only has its row put right.
   */
  private ReplyEffect<Event, EntityState> onExpireState(EntityState state, ExpireState cmd) {
    long seqNr = lastSequenceNumber(context);
    if (!config.expiresState() || seqNr == 0) {
      return Effect().noReply();
    }
    if (state.expired()) {
      index.expired(config.type(), entityId, state.expiredAt(), seqNr);
      return Effect().noReply();
    }
    if (cmd.seqNr() == seqNr && !heardKnown) {
      lastHeardMs = cmd.heardAt();
      heardKnown = true;
    }
    if (RecordPlan.expires(state, clock.millis() - lastHeardMs)) {
      return expire(state);
    }
    recordExpiry(false); // stale, or not due under this configuration: the timers passivate as usual
    return Effect().noReply();
  }

  /** Journals that the state expired, marks it in the entity index, then passivates (its timers would only wake it). */
  private ReplyEffect<Event, EntityState> expire(EntityState state) {
    long now = clock.millis();
    RecordPlan plan = folded.expect(RecordPlan.expire(state, now - lastHeardMs, now));
    long started = System.nanoTime();
    return Effect()
        .persist(plan.journaled())
        .thenRun(s -> metrics.persisted(started, plan.events(), 0))
        .thenRun(s -> {
          long seqNr = lastSequenceNumber(context);
          context.pipeToSelf(index.expired(config.type(), entityId, s.expiredAt(), seqNr),
              (ok, failure) -> new ExpiryRecorded(seqNr, !watchesAbsence(s), failure == null ? null : failure.toString()));
        })
        .thenNoReply();
  }

  /**
   * Once per incarnation, after its first journaled readings, the entity index learns when the state expires: an
   * entity stopped without passivating (handoff, crash) is found by the sweep too. Later readings make that row
   * early; the woken entity then records it again from what it knows instead of expiring ({@link #onExpireState}).
   */
  private void indexExpiryOnce(EntityState state) {
    if (expiryIndexed || !config.expiresState()) {
      return;
    }
    expiryIndexed = true;
    if (state.expired()) { // a redelivery after the ttl: the command expired the state and recorded nothing
      index.expired(config.type(), entityId, state.expiredAt(), lastSequenceNumber(context));
    } else {
      recordExpiry(false);
    }
  }

  /** Records in the entity index when the state expires if nothing is heard; then {@link #onExpiryRecorded}. */
  private void recordExpiry(boolean passivate) {
    long seqNr = lastSequenceNumber(context);
    context.pipeToSelf(
        index.expiresAt(config.type(), entityId, lastHeardMs, seqNr, lastHeardMs + config.stateTtlMs(), heardKnown),
        (ok, failure) -> new ExpiryRecorded(seqNr, passivate, failure == null ? null : failure.toString()));
  }

  /**
   * Passivates once the index holds the expiry, unless something was journaled meanwhile (a reading: the timers run
   * again). If the write failed, the entity stays up and tries again at its next passivation: a passivated entity
   * that the index does not know of would never expire.
   */
  private ReplyEffect<Event, EntityState> onExpiryRecorded(EntityState state, ExpiryRecorded recorded) {
    if (recorded.failure() != null) {
      context.getLog().warn("{}/{}: could not record its state expiry in the entity index, trying later: {}",
          config.type(), entityId, recorded.failure());
      expiryIndexed = false; // its next readings try again
      watchSilence(state);
    } else if (recorded.passivate() && recorded.seqNr() == lastSequenceNumber(context)) {
      passivate();
    }
    return Effect().noReply();
  }

  /** The first reading after an expiry: the index's expired mark goes (the next passivation would clear it too). */
  private void unmarkExpired(EntityState state) {
    if (!state.expired()) {
      index.heardAfterExpiry(config.type(), entityId, lastSequenceNumber(context));
    }
  }

  private boolean watchesAbsence(EntityState state) {
    return config.anomalies().incidents().watchesSilence() && !state.silenceRaised() && state.maxEventTime() != Long.MIN_VALUE;
  }

  /** While silence is watched and not raised, wake up when it has lasted the type's silent-after time. */
  private void watchAbsence(EntityState state) {
    if (watchesAbsence(state)) {
      timers.startSingleTimer(
          ABSENCE_TIMER, RaiseSilence.INSTANCE, Duration.ofMillis(config.anomalies().incidents().silentAfterMs()));
    }
  }

  /** While windows are open, wake up to close them after silence; with none, passivate after silence. */
  private void watchSilence(EntityState state) {
    if (state.hasOpenWindows()) {
      timers.startSingleTimer(SILENCE_TIMER, CloseIdleWindows.INSTANCE, Duration.ofMillis(config.idleCloseMs()));
    } else {
      timers.startSingleTimer(SILENCE_TIMER, Passivate.INSTANCE, untilPassivation(state));
    }
  }

  /** The type's passivate-after, or less if the state expires sooner: {@link #onPassivate} expires it. */
  private Duration untilPassivation(EntityState state) {
    Duration after = settings.passivateAfter();
    if (config.expiresState() && !state.expired()) {
      long untilExpiry = Math.max(0, lastHeardMs + config.stateTtlMs() - clock.millis());
      return untilExpiry < after.toMillis() ? Duration.ofMillis(untilExpiry) : after;
    }
    return after;
  }

  @Override
  public EventHandler<EntityState, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(folded::apply);
  }

  /**
   * The event of the command being handled, whose change the command already made ({@link RecordPlan}): Pekko
   * hands it to the event handler as soon as the command returns it, and that change must not be made twice. Any
   * other event (recovery) is folded as usual. Matched by identity: a recovered event is always a new object.
   */
  private static final class FoldedEvents {
    private Event journaled;
    private EntityState state;

    RecordPlan expect(RecordPlan plan) {
      journaled = plan.journaled();
      state = plan.state();
      return plan;
    }

    EntityState apply(EntityState current, Event event) {
      EntityState after = event == journaled ? state : current.apply(event);
      journaled = null;
      state = null;
      return after;
    }
  }

  /** Snapshots every {@value #SNAPSHOT_EVERY} journal rows (commands), keeping two; events are never deleted (auditors need them). */
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
        return ((EntitySnapshot) from).restore(versions, entityId);
      }
    };
  }
}
