package io.tidewatch.node;

import com.typesafe.config.ConfigFactory;
import io.tidewatch.deploy.LocalInfra;
import java.util.HashMap;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorSystem;

/** A node in the test's JVM on the test's brokers, alone in its cluster (remoting on a free port). */
final class TestNodes {

  private TestNodes() {}

  /** @param settings the test's own settings (ports, tokens, group, ...), layered over the brokers' addresses */
  static ActorSystem<Void> start(LocalInfra infra, Map<String, Object> settings) {
    Map<String, Object> all = new HashMap<>();
    all.put("tidewatch.kafka.bootstrap-servers", infra.kafkaBootstrapServers());
    all.put("tidewatch.cassandra.contact-points", infra.cassandraContactPoint());
    all.put("pekko.remote.artery.canonical.port", 0);
    all.putAll(settings);
    return Node.start(NodeConfig.load(ConfigFactory.parseMap(all), null));
  }
}
