package io.tidewatch.node.health;

import io.tidewatch.persistence.readside.CassandraReadSide;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;

/**
 * Readiness (Pekko Management {@code /ready}): Cassandra answers a query. Without it no entity can recover or
 * persist, so the node can neither ingest nor answer.
 */
public final class CassandraReadiness implements Supplier<CompletionStage<Boolean>> {

  private final CassandraSession session;

  public CassandraReadiness(ActorSystem system) {
    this.session = CassandraReadSide.session(Adapter.toTyped(system));
  }

  @Override
  public CompletionStage<Boolean> get() {
    return session
        .selectOne("SELECT release_version FROM system.local")
        .handle((row, failure) -> failure == null && row.isPresent());
  }
}
