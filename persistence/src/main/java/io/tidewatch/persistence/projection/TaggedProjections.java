package io.tidewatch.persistence.projection;

import io.tidewatch.protocol.EntityProtocol.Event;
import java.util.Optional;
import java.util.function.BiFunction;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.ShardedDaemonProcessSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ShardedDaemonProcess;
import org.apache.pekko.persistence.cassandra.query.javadsl.CassandraReadJournal;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.projection.Projection;
import org.apache.pekko.projection.ProjectionBehavior;
import org.apache.pekko.projection.ProjectionId;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.eventsourced.javadsl.EventSourcedProvider;
import org.apache.pekko.projection.javadsl.SourceProvider;

/**
 * Runs one projection per tag of {@link OutputTags} as a sharded daemon process, so that each runs on exactly one
 * node of the cluster and moves when that node leaves.
 */
public final class TaggedProjections {

  private TaggedProjections() {}

  /** @param projection the projection of one tag, given its id and the source of the tag's events */
  public static void init(
      ActorSystem<?> system,
      String name,
      BiFunction<ProjectionId, SourceProvider<Offset, EventEnvelope<Event>>, Projection<EventEnvelope<Event>>> projection) {
    ShardedDaemonProcess.get(system)
        .init(
            ProjectionBehavior.Command.class,
            name,
            OutputTags.TAGS.size(),
            index -> {
              String tag = OutputTags.TAGS.get(index);
              return ProjectionBehavior.create(
                  projection.apply(
                      ProjectionId.of(name, tag),
                      EventSourcedProvider.<Event>eventsByTag(system, CassandraReadJournal.Identifier(), tag)));
            },
            ShardedDaemonProcessSettings.create(system),
            Optional.of(ProjectionBehavior.stopMessage()));
  }
}
