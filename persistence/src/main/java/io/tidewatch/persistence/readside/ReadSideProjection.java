package io.tidewatch.persistence.readside;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidewatch.protocol.EntityProtocol.Event;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.javadsl.Handler;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;
import org.apache.pekko.stream.connectors.cassandra.CassandraSessionSettings;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSessionRegistry;

/**
 * The read side's tables and how they are filled: its handler runs in the output projections (one per tag, see
 * {@code OutputProjections}) beside the Kafka output, so each tagged event is read from the tag views once for both.
 * At least once; the writes are idempotent.
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

  /** Writes a group of tagged events into {@code tables}: alerts in batches, and registrations of older journals. */
  public static Handler<List<EventEnvelope<Event>>> handler(CassandraReadSide tables) {
    return new ReadSideHandler(tables);
  }
}
