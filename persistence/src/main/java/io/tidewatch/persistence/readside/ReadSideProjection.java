package io.tidewatch.persistence.readside;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidewatch.persistence.projection.OutputTags;
import io.tidewatch.protocol.EntityProtocol.Event;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.ShardedDaemonProcessSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ShardedDaemonProcess;
import org.apache.pekko.persistence.cassandra.query.javadsl.CassandraReadJournal;
import org.apache.pekko.projection.ProjectionBehavior;
import org.apache.pekko.projection.ProjectionId;
import org.apache.pekko.projection.cassandra.javadsl.CassandraProjection;
import org.apache.pekko.projection.eventsourced.javadsl.EventSourcedProvider;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;
import org.apache.pekko.stream.connectors.cassandra.CassandraSessionSettings;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSessionRegistry;

/**
 * Fills the read side: one projection per tag over the entities' tagged events, as a sharded daemon process, with
 * offsets in Cassandra. At least once; the writes are idempotent.
 */
public final class ReadSideProjection {

  private static final String SESSION_CONFIG = "pekko.projection.cassandra.session-config";

  private ReadSideProjection() {}

  /** The read side tables of this node's keyspace, for queries. */
  public static CassandraReadSide tables(ActorSystem<?> system) {
    CassandraSession session =
        CassandraSessionRegistry.get(system).sessionFor(CassandraSessionSettings.create(SESSION_CONFIG));
    ObjectMapper mapper =
        JacksonObjectMapperProvider.get(system.classicSystem()).getOrCreate("jackson-json", Optional.empty());
    return new CassandraReadSide(
        session, system.settings().config().getString("tidewatch.cassandra.keyspace"), mapper, Clock.systemUTC());
  }

  public static void init(ActorSystem<?> system, CassandraReadSide tables) {
    ShardedDaemonProcess.get(system)
        .init(
            ProjectionBehavior.Command.class,
            "tidewatch-read-side",
            OutputTags.TAGS.size(),
            index -> {
              String tag = OutputTags.TAGS.get(index);
              return ProjectionBehavior.create(
                  CassandraProjection.atLeastOnce(
                          ProjectionId.of("tidewatch-read-side", tag),
                          EventSourcedProvider.<Event>eventsByTag(system, CassandraReadJournal.Identifier(), tag),
                          () -> new ReadSideHandler(tables))
                      .withSaveOffset(100, Duration.ofSeconds(1)));
            },
            ShardedDaemonProcessSettings.create(system),
            Optional.of(ProjectionBehavior.stopMessage()));
  }
}
