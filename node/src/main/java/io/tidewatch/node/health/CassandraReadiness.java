package io.tidewatch.node.health;

import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.stream.connectors.cassandra.CassandraSessionSettings;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSessionRegistry;

/**
 * Readiness (Pekko Management {@code /ready}): Cassandra answers a query. Without it no entity can recover or
 * persist, so the node can neither ingest nor answer.
 */
public final class CassandraReadiness implements Supplier<CompletionStage<Boolean>> {

  private final CassandraSession session;

  public CassandraReadiness(ActorSystem system) {
    this.session =
        CassandraSessionRegistry.get(Adapter.toTyped(system))
            .sessionFor(CassandraSessionSettings.create("tidewatch.cassandra.session"));
  }

  @Override
  public CompletionStage<Boolean> get() {
    return session
        .selectOne("SELECT release_version FROM system.local")
        .handle((row, failure) -> failure == null && row.isPresent());
  }
}
