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
 * A passivated or stopped entity has no timer, so it cannot notice that its type's {@code state-ttl} passed. After
 * the first readings of each incarnation and as it passivates, it records in the entity index when it will expire
 * (the first row may be early: the entity then records it again instead of expiring); this sweep, one per node and
 * type with a state-ttl, reads the due rows periodically and sends each entity {@link ExpireState} through sharding,
 * and the entity decides (it journals the expiry only if it really heard nothing for that long). Every node sweeps:
 * an entity woken twice by two nodes' sweeps expires once and only puts its row right the second time. A sweep reads at most {@link #PER_SWEEP} due rows,
 * in id order from where the previous one stopped, and starts over after the last: a row whose entity cannot rewrite
 * it (its recovery fails) is woken once per round, not every sweep, and never hides the rows behind it.
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
  private final int perSweep;
  private final AtomicBoolean sweeping = new AtomicBoolean();
  /** The last entity id the previous sweep read; "" to start from the first. Read and set under {@link #sweeping}. */
  private String after = "";

  StateExpirySweep(ActorSystem<?> system, EntityIndex index, String type, Clock clock, int perSweep) {
    this.system = system;
    this.index = index;
    this.type = type;
    this.clock = clock;
    this.perSweep = perSweep;
  }

  /** Starts a sweep for each of {@code types} whose state expires. */
  public static void start(ActorSystem<?> system, EntityIndex index, Collection<EntityTypeConfig> types, Clock clock) {
    for (EntityTypeConfig config : types) {
      if (config.expiresState()) {
        Duration every = interval(config.stateTtlMs());
        StateExpirySweep sweep = new StateExpirySweep(system, index, config.type(), clock, PER_SWEEP);
        system.scheduler().scheduleWithFixedDelay(every, every, sweep::sweep, system.executionContext());
        log.info("Sweeping {} entities for state expiry (state-ttl {} ms) every {}", config.type(),
            config.stateTtlMs(), every);
      }
    }
  }

  /**
   * A quarter of the ttl, so an entity expires at most a quarter late (while fewer than {@link #PER_SWEEP} are due),
   * between 1 s and 1 min.
   */
  static Duration interval(long stateTtlMs) {
    Duration quarter = Duration.ofMillis(stateTtlMs / 4);
    if (quarter.compareTo(LONGEST_INTERVAL) > 0) {
      return LONGEST_INTERVAL;
    }
    return quarter.compareTo(SHORTEST_INTERVAL) < 0 ? SHORTEST_INTERVAL : quarter;
  }

  /** One sweep at a time: a slow read is not overtaken by the next. */
  void sweep() {
    if (!sweeping.compareAndSet(false, true)) {
      return;
    }
    index.dueToExpire(type, clock.millis(), after, perSweep).whenComplete((due, failure) -> {
      if (failure == null) {
        after = due.size() < perSweep ? "" : due.get(due.size() - 1).id();
      }
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
