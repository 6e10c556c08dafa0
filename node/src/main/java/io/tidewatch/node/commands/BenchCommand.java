package io.tidewatch.node.commands;

import io.tidewatch.node.bench.EntityHeapBench;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tidewatch bench ...}: benchmarks that print a report (targets live here, never in tests). */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Run a benchmark and print its report.",
    subcommands = {BenchCommand.EntityHeap.class})
public final class BenchCommand {

  /** {@code tidewatch bench entity-heap}: heap bytes per live entity. */
  @Command(name = "entity-heap", mixinStandardHelpOptions = true, description = "Heap bytes per live entity (default sensor config).")
  static final class EntityHeap implements Callable<Integer> {

    @Option(names = "--entities", defaultValue = "100000", description = "Entities to create (default: ${DEFAULT-VALUE}).")
    int entities;

    @Option(names = "--readings", defaultValue = "3", description = "Readings per entity (default: ${DEFAULT-VALUE}).")
    int readings;

    @Override
    public Integer call() throws Exception {
      System.out.print(new EntityHeapBench(entities, readings).run());
      return 0;
    }
  }
}
