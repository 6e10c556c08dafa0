package io.tidewatch.sharding;

import io.tidewatch.persistence.readside.EntityIndex;
import io.tidewatch.persistence.state.EntityTypeConfig;
import io.tidewatch.protocol.EntityProtocol.ExpireState;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A passivated entity has no timer, so it cannot notice that its type's {@code state-ttl} passed. As it passivates it
 * records in the entity index when it will expire; this sweep, one per node and type with a state-ttl, reads the due
 * rows periodically and sends each entity {@link ExpireState} through sharding, and the entity decides (it journals
 * the expiry only if it really heard nothing for that long). Every node sweeps: an entity woken twice by two nodes'
 * sweeps expires once and only puts its row right the second time. Each woken entity rewrites its row, so a
 * sweep that hit its {@link #PER_SWEEP} limit finds the rest next time.
 */
public final class StateExpirySweep {

  private static final Logger log = LoggerFactory.getLogger(StateExpirySweep.class);
  /** Entities woken per sweep and type at most: bounds the recoveries one sweep starts. */
  static final int PER_SWEEP = 1000;
  private static final Duration LONGEST_INTERVAL = Duration.ofMinutes(1);
  private static final Duration SHORTEST_INTERVAL = Duration.ofSeconds(1);

  private final ActorSystem<?> system;
  private final EntityIndex index;
  private final String type;
  private final Clock clock;
  private final AtomicBoolean sweeping = new AtomicBoolean();

  private StateExpirySweep(ActorSystem<?> system, EntityIndex index, String type, Clock clock) {
    this.system = system;
    this.index = index;
    this.type = type;
    this.clock = clock;
  }

  /** Starts a sweep for each of {@code types} whose state expires. */
  public static void start(ActorSystem<?> system, EntityIndex index, Collection<EntityTypeConfig> types, Clock clock) {
    for (EntityTypeConfig config : types) {
      if (config.expiresState()) {
        Duration every = interval(config.stateTtlMs());
        StateExpirySweep sweep = new StateExpirySweep(system, index, config.type(), clock);
        system.scheduler().scheduleWithFixedDelay(every, every, sweep::sweep, system.executionContext());
        log.info("Sweeping {} entities for state expiry (state-ttl {} ms) every {}", config.type(),
            config.stateTtlMs(), every);
      }
    }
  }

  /** A quarter of the ttl, so an entity expires at most a quarter late, between 1 s and 1 min. */
  static Duration interval(long stateTtlMs) {
    Duration quarter = Duration.ofMillis(stateTtlMs / 4);
    if (quarter.compareTo(LONGEST_INTERVAL) > 0) {
      return LONGEST_INTERVAL;
    }
    return quarter.compareTo(SHORTEST_INTERVAL) < 0 ? SHORTEST_INTERVAL : quarter;
  }

  /** One sweep at a time: a slow read is not overtaken by the next. */
  private void sweep() {
    if (!sweeping.compareAndSet(false, true)) {
      return;
    }
    index.dueToExpire(type, clock.millis(), PER_SWEEP).whenComplete((due, failure) -> {
      sweeping.set(false);
      if (failure != null) {
        log.warn("Could not read which {} entities are due to expire, trying at the next sweep: {}", type,
            failure.toString());
        return;
      }
      if (!due.isEmpty()) {
        log.debug("Waking {} {} entities due to expire", due.size(), type);
      }
      ClusterSharding sharding = ClusterSharding.get(system);
      due.forEach(entity -> sharding.entityRefFor(TrackedEntity.typeKey(type), entity.id())
          .tell(new ExpireState(entity.heardAt(), entity.seqNr())));
    });
  }
}
