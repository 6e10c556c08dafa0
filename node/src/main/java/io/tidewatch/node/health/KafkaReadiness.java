package io.tidewatch.node.health;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.pekko.Done;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.CoordinatedShutdown;

/**
 * Readiness (Pekko Management {@code /ready}): the Kafka cluster the ingest consumes from answers. A node that
 * cannot reach its brokers consumes nothing and should not be sent traffic.
 */
public final class KafkaReadiness implements Supplier<CompletionStage<Boolean>> {

  private static final Duration TIMEOUT = Duration.ofSeconds(2);

  private final Admin admin;

  public KafkaReadiness(ActorSystem system) {
    String bootstrap = system.settings().config().getString("tidewatch.kafka.bootstrap-servers");
    this.admin =
        Admin.create(Map.of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
            AdminClientConfig.CLIENT_ID_CONFIG, "tidewatch-readiness",
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis(),
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis()));
    CoordinatedShutdown.get(system)
        .addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "tidewatch-kafka-readiness", () -> {
          admin.close(Duration.ofSeconds(1));
          return CompletableFuture.completedFuture(Done.getInstance());
        });
  }

  @Override
  public CompletionStage<Boolean> get() {
    return admin
        .describeCluster(new DescribeClusterOptions().timeoutMs((int) TIMEOUT.toMillis()))
        .nodes()
        .toCompletionStage()
        .handle((nodes, failure) -> failure == null && !nodes.isEmpty());
  }
}
