package io.tidewatch.sharding;

import io.tidewatch.persistence.readside.EntityIndex;
import io.tidewatch.protocol.EntityProtocol.GetState;
import java.time.Duration;
import java.util.Collection;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Windows the idle timer closed leave with no ask to carry them: their entity publishes them itself. If a node died
 * between the journal write and the publish, nothing wakes that entity again (its readings were committed long
 * ago). So a starting node wakes the entities the index marks as having unpublished outputs; each recovery
 * publishes what is pending. Waking an entity twice, or one with nothing pending, costs only a recovery.
 */
public final class PendingOutputs {

  private static final Logger log = LoggerFactory.getLogger(PendingOutputs.class);
  private static final Duration RETRY_AFTER = Duration.ofSeconds(10);

  private PendingOutputs() {}

  public static void wake(ActorSystem<?> system, EntityIndex index, Collection<String> types) {
    types.forEach(type -> wake(system, index, type));
  }

  private static void wake(ActorSystem<?> system, EntityIndex index, String type) {
    index.withOutputsPending(type).whenComplete((ids, failure) -> {
      if (failure != null) {
        log.warn("Could not read which {} entities have unpublished outputs, trying again in {}: {}",
            type, RETRY_AFTER, failure.toString());
        system.scheduler().scheduleOnce(RETRY_AFTER, () -> wake(system, index, type), system.executionContext());
        return;
      }
      if (!ids.isEmpty()) {
        log.info("Waking {} {} entities with unpublished outputs", ids.size(), type);
      }
      ClusterSharding sharding = ClusterSharding.get(system);
      ids.forEach(id -> sharding.entityRefFor(TrackedEntity.typeKey(type), id).tell(new GetState(system.ignoreRef())));
    });
  }
}
