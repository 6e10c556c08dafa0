package io.tidewatch.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.tidewatch.deploy.LocalInfra;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorSystem;

/** A node in the test's JVM on the test's brokers, alone in its cluster (remoting on a free port). */
final class TestNodes {

  private TestNodes() {}

  /** @param settings the test's own settings (ports, tokens, group, ...), layered over the brokers' addresses */
  static ActorSystem<Void> start(LocalInfra infra, Map<String, Object> settings) {
    return start(infra, ConfigFactory.parseMap(settings));
  }

  /** @param settings the test's own settings, layered over the brokers' addresses */
  static ActorSystem<Void> start(LocalInfra infra, Config settings) {
    Config brokers = ConfigFactory.parseMap(Map.of(
        "tidewatch.kafka.bootstrap-servers", infra.kafkaBootstrapServers(),
        "tidewatch.cassandra.contact-points", infra.cassandraContactPoint(),
        "pekko.remote.artery.canonical.port", 0));
    return Node.start(NodeConfig.load(settings.withFallback(brokers), null));
  }
}
