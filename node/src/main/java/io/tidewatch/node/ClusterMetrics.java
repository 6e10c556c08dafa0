package io.tidewatch.node;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToDoubleFunction;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.ClusterEvent.CurrentClusterState;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * The cluster as this node sees it, for {@code /metrics}: members up, and members it cannot reach (what
 * deploy/prometheus/tidewatch-rules.yml alerts on). Read from the cluster's own state on each scrape. The registry is
 * the JVM's; a JVM that starts several nodes (the tests) reports the one started last.
 */
final class ClusterMetrics {

  private static final AtomicReference<Cluster> CLUSTER = new AtomicReference<>();

  private ClusterMetrics() {}

  static void bind(ActorSystem<?> system, MeterRegistry registry) {
    if (CLUSTER.getAndSet(Cluster.get(system)) == null) {
      gauge(registry, "tidewatch.cluster.members.up", "Members this node sees up",
          state -> StreamSupport.stream(state.getMembers().spliterator(), false)
              .filter(m -> m.status() == MemberStatus.up())
              .count());
      gauge(registry, "tidewatch.cluster.unreachable.members", "Members this node cannot reach",
          state -> state.getUnreachable().size());
    }
  }

  private static void gauge(MeterRegistry registry, String name, String description, ToDoubleFunction<CurrentClusterState> value) {
    Gauge.builder(name, CLUSTER, cluster -> value.applyAsDouble(cluster.get().state()))
        .description(description)
        .register(registry);
  }
}
