package io.tidewatch.node.commands;

import io.tidewatch.node.Node;
import io.tidewatch.node.NodeConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.pekko.actor.typed.ActorSystem;
import com.typesafe.config.ConfigFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tidewatch node --config FILE}: one cluster member against external Kafka and Cassandra. */
@Command(name = "node", mixinStandardHelpOptions = true, description = "Run one cluster member against external Kafka and Cassandra.")
public final class NodeCommand implements Callable<Integer> {

  @Option(names = "--config", paramLabel = "FILE", description = "HOCON file layered over the defaults and the environment.")
  Path config;

  @Override
  public Integer call() {
    ActorSystem<Void> system = Node.start(NodeConfig.load(ConfigFactory.empty(), config));
    system.getWhenTerminated().toCompletableFuture().join();
    return 0;
  }
}
