package io.tidewatch.node.commands;

import com.typesafe.config.ConfigFactory;
import io.tidewatch.node.export.InfluxExport;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tidewatch export ...}: copy the outputs into the time-series stores people already chart with. */
@Command(name = "export", mixinStandardHelpOptions = true,
    description = "Copy the aggregates topic into a time-series database.",
    subcommands = {ExportCommand.Influx.class})
public final class ExportCommand {

  /** {@code tidewatch export influxdb}: the aggregates topic into InfluxDB 1.x, until stopped. */
  @Command(name = "influxdb", mixinStandardHelpOptions = true,
      description = "Write every closed window of the aggregates topic to InfluxDB 1.x (measurement tidewatch_window), "
          + "committing offsets once InfluxDB has them; runs until stopped (Ctrl-C).")
  static final class Influx implements Callable<Integer> {

    @Option(names = "--url", defaultValue = "${env:TIDEWATCH_INFLUXDB_URL:-http://127.0.0.1:8086}",
        description = "InfluxDB's HTTP API (default: ${DEFAULT-VALUE}).")
    String url;

    @Option(names = "--database", defaultValue = "tidewatch", description = "Database, created if missing (default: ${DEFAULT-VALUE}).")
    String database;

    @Option(names = "--bootstrap", defaultValue = "${env:TIDEWATCH_KAFKA_BOOTSTRAP:-127.0.0.1:19092}",
        description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
    String bootstrap;

    @Option(names = "--topic", defaultValue = "tidewatch.aggregates", description = "Aggregates topic (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--group", defaultValue = "tidewatch-export-influxdb", description = "Consumer group (default: ${DEFAULT-VALUE}).")
    String group;

    @Option(names = "--dead-letter-topic", defaultValue = "tidewatch.dead-letters",
        description = "Where records that are not aggregates records go (default: ${DEFAULT-VALUE}).")
    String deadLetterTopic;

    @Override
    public Integer call() {
      ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "tidewatch-export",
          ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.defaultReference()));
      new InfluxExport(system, new InfluxExport.Settings(bootstrap, topic, group, deadLetterTopic, url, database,
          5_000, Duration.ofSeconds(1))).run();
      System.err.printf("tidewatch export: %s -> %s database %s; Ctrl-C stops%n", topic, url, database);
      system.getWhenTerminated().toCompletableFuture().join();
      return 0;
    }
  }
}
