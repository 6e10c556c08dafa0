package io.tidewatch.persistence.readside;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import io.tidewatch.persistence.projection.TaggedProjections;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.projection.cassandra.javadsl.CassandraProjection;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;
import org.apache.pekko.stream.connectors.cassandra.CassandraSessionSettings;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSessionRegistry;

/**
 * Fills the read side: one projection per tag over the entities' tagged events, as a sharded daemon process, with
 * offsets in Cassandra. Events come in groups ({@code tidewatch.read-side.group-size}, {@code group-within}); a
 * group's writes are batched and its offset stored once they all succeed. At least once; the writes are idempotent.
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
    Config readSide = system.settings().config().getConfig("tidewatch.read-side");
    int groupSize = readSide.getInt("group-size");
    Duration groupWithin = readSide.getDuration("group-within");
    TaggedProjections.init(system, "tidewatch-read-side", (id, events) ->
        CassandraProjection.groupedWithin(id, events, () -> new ReadSideHandler(tables))
            .withGroup(groupSize, groupWithin));
  }
}
