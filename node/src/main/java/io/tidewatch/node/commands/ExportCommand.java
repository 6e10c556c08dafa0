package io.tidewatch.node.commands;

import com.typesafe.config.ConfigFactory;
import io.tidewatch.node.export.InfluxExport;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

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

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
      checkUrl();
      ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "tidewatch-export",
          ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.defaultReference()));
      new InfluxExport(system, new InfluxExport.Settings(bootstrap, topic, group, deadLetterTopic, url, database,
          5_000, Duration.ofSeconds(1))).run();
      System.err.printf("tidewatch export: %s -> %s database %s; Ctrl-C stops%n", topic, url, database);
      system.getWhenTerminated().toCompletableFuture().join();
      return 0;
    }

    /** A URL the export could never write to is a usage error now, not a retry loop later. */
    private void checkUrl() {
      try {
        URI uri = new URI(url);
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
          throw new URISyntaxException(url, "needs http:// or https:// and a host");
        }
        url = url.replaceAll("/+$", "");
      } catch (URISyntaxException e) {
        throw new ParameterException(spec.commandLine(), "--url '" + url + "' is not InfluxDB's HTTP address: "
            + e.getReason() + " (e.g. http://127.0.0.1:8086)");
      }
    }
  }
}
