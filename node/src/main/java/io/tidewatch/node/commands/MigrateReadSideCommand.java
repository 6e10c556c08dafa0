package io.tidewatch.node.commands;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.tidewatch.node.Node;
import io.tidewatch.node.NodeConfig;
import io.tidewatch.persistence.readside.ReadSideBackfill;
import io.tidewatch.persistence.state.EntityTypes;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tidewatch migrate-read-side}: once, after upgrading a keyspace written by a release whose outputs came from
 * events-by-tag projections. Writes every journaled window and alert into the per-entity read-side tables
 * ({@link ReadSideBackfill}), then drops the projections' offsets and the tag tables. Runs as a plain local actor
 * system against the node's Cassandra, beside or without running nodes; safe to run again.
 */
@Command(name = "migrate-read-side", mixinStandardHelpOptions = true, description = "Once after an upgrade: backfill every entity's windows and alerts from its journal into the read side, then drop the retired projection and tag tables.")
public final class MigrateReadSideCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Option(names = "--config", paramLabel = "FILE", description = "The nodes' HOCON file (Cassandra, keyspace, entity types), layered as for `node`.")
  Path config;

  @Option(names = "--keep-retired-tables", description = "Leave offset_store, projection_management and the tag tables in place.")
  boolean keepRetiredTables;

  @Override
  public Integer call() {
    // Local provider: the migration joins no cluster and binds no remoting port.
    Config local = ConfigFactory.parseMap(Map.of("pekko.actor.provider", "local"));
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), Node.SYSTEM_NAME, NodeConfig.load(local, config));
    PrintWriter out = spec.commandLine().getOut();
    try {
      List<String> types = List.copyOf(EntityTypes.fromConfig(system.settings().config()).names());
      ReadSideBackfill backfill = ReadSideBackfill.create(system);
      ReadSideBackfill.Report report = backfill.run(types, sofar -> {
        out.printf("... %,d entities, %,d windows, %,d alerts%n", sofar.entities(), sofar.windows(), sofar.alerts());
        out.flush();
      }).toCompletableFuture().join();
      out.printf("Backfilled the read side of %,d entities (%s): %,d windows, %,d alerts.%n",
          report.entities(), String.join(", ", types), report.windows(), report.alerts());
      if (!keepRetiredTables) {
        out.println("Dropped (if they existed): "
            + String.join(", ", backfill.dropRetiredTables().toCompletableFuture().join()));
      }
      return 0;
    } catch (CompletionException e) {
      spec.commandLine().getErr().println("tidewatch migrate-read-side: " + e.getCause().getMessage()
          + " (nothing is lost: run it again once Cassandra answers)");
      return 1;
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().join();
    }
  }
}
