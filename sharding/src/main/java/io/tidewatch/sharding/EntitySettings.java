package io.tidewatch.sharding;

import com.typesafe.config.Config;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * The {@code tidewatch.entities} block, read once.
 *
 * @param partitions partitions of the input topic: entities are sharded by the partition of their id
 * @param allocationTimeout how long the shard coordinator waits for the external shard locations
 */
public record EntitySettings(Duration passivateAfter, int partitions, Duration allocationTimeout) {

  /** Settings for tests: four partitions, five seconds to allocate. */
  public EntitySettings(Duration passivateAfter) {
    this(passivateAfter, 4, Duration.ofSeconds(5));
  }

  public static EntitySettings create(ActorSystem<?> system) {
    Config entities = system.settings().config().getConfig("tidewatch.entities");
    return new EntitySettings(
        entities.getDuration("passivate-after"),
        entities.getInt("partitions"),
        entities.getDuration("allocation-timeout"));
  }
}
