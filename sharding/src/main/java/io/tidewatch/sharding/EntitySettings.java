package io.tidewatch.sharding;

import com.typesafe.config.Config;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorSystem;

/** The {@code tidewatch.entities} block, read once. */
public record EntitySettings(Duration passivateAfter) {

  public static EntitySettings create(ActorSystem<?> system) {
    Config entities = system.settings().config().getConfig("tidewatch.entities");
    return new EntitySettings(entities.getDuration("passivate-after"));
  }
}
