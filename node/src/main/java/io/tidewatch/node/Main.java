package io.tidewatch.node;

import io.tidewatch.node.commands.BenchCommand;
import io.tidewatch.node.commands.ClusterCommand;
import io.tidewatch.node.commands.ClusterDemoCommand;
import io.tidewatch.node.commands.DemoCommand;
import io.tidewatch.node.commands.ExportCommand;
import io.tidewatch.node.commands.InfraCommand;
import io.tidewatch.node.commands.MigrateReadSideCommand;
import io.tidewatch.node.commands.NodeCommand;
import io.tidewatch.node.commands.ReplayCommand;
import io.tidewatch.node.commands.SimulateCommand;
import io.tidewatch.node.commands.TypesCommand;
import com.typesafe.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code tidewatch} command line (DESIGN §5); {@code bin/tidewatch} runs it. */
@Command(
    name = "tidewatch",
    mixinStandardHelpOptions = true,
    version = "tidewatch 0.1.0",
    description = "Real-time stream analytics on a Pekko cluster: Kafka in, Cassandra journal, HTTP out.",
    subcommands = {BenchCommand.class, ClusterCommand.class, ClusterDemoCommand.class, DemoCommand.class, ExportCommand.class, InfraCommand.class, MigrateReadSideCommand.class, NodeCommand.class, ReplayCommand.class, SimulateCommand.class, TypesCommand.class})
public final class Main {

  private static final int EX_CONFIG = 78;

  public static void main(String[] args) {
    // Libraries hand out futures whose plain continuations run on the common pool; with parallelism 1 (any
    // 2-core machine) the JDK would start a thread per continuation instead. Must be set before first use.
    if (System.getProperty("java.util.concurrent.ForkJoinPool.common.parallelism") == null) {
      System.setProperty(
          "java.util.concurrent.ForkJoinPool.common.parallelism",
          String.valueOf(Math.max(2, Runtime.getRuntime().availableProcessors())));
    }
    // Exit explicitly: client libraries may leave non-daemon threads behind once a command is done.
    System.exit(commandLine().execute(args));
  }

  /** The command line with its subcommands and its handling of configuration errors. */
  static CommandLine commandLine() {
    return new CommandLine(new Main())
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setExecutionExceptionHandler(Main::configurationError);
  }

  /**
   * A setting that cannot be used stops the command with one line that names the key, where it was set and the
   * rule (Typesafe Config's own messages do, and so do ours: {@link ConfigException.BadValue}); exit code 78
   * (EX_CONFIG). Anything else is a bug and keeps its stack trace.
   */
  private static int configurationError(Exception e, CommandLine command, CommandLine.ParseResult parsed)
      throws Exception {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof ConfigException config) {
        command.getErr().println("tidewatch " + command.getCommandName() + ": configuration error: " + config.getMessage());
        return EX_CONFIG;
      }
    }
    throw e;
  }
}
