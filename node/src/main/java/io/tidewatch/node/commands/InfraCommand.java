package io.tidewatch.node.commands;

import io.tidewatch.deploy.LocalInfra;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tidewatch infra}: only the demo's local Kafka and Cassandra, until Ctrl-C. */
@Command(name = "infra", mixinStandardHelpOptions = true, description = "Start the local Kafka and Cassandra of the demo until Ctrl-C.")
public final class InfraCommand implements Callable<Integer> {

  @Option(names = "--data-dir", defaultValue = ".tidewatch", description = "Where the brokers keep their data (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Override
  public Integer call() throws InterruptedException {
    LocalInfra infra = LocalInfra.start(dataDir, LocalInfra.Ports.demo(), LocalInfra.DEFAULT_TOPICS);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      infra.close();
      stopped.countDown();
    }, "tidewatch-infra-stop"));
    System.out.printf(
        "Kafka on %s, Cassandra on %s (data in %s). Ctrl-C stops both.%n",
        infra.kafkaBootstrapServers(), infra.cassandraContactPoint(), dataDir.toAbsolutePath());
    stopped.await();
    return 0;
  }
}
