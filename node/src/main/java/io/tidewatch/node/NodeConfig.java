package io.tidewatch.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads the node's configuration in layers: explicit overrides (the demo's), then an operator's file, then
 * {@code application.conf} with its environment overrides, then every module's {@code reference.conf}. Lists
 * that one environment variable carries as a comma-separated string (contact points, seed nodes) become the lists
 * Pekko and the Cassandra driver expect.
 */
public final class NodeConfig {

  private NodeConfig() {}

  public static Config load() {
    return load(ConfigFactory.empty(), null);
  }

  public static Config load(Config overrides, Path file) {
    Config layered = overrides;
    if (file != null) {
      if (!Files.isReadable(file)) {
        throw new ConfigException.Generic("config file " + file.toAbsolutePath() + " cannot be read");
      }
      layered = layered.withFallback(ConfigFactory.parseFile(file.toFile()));
    }
    layered = layered.withFallback(ConfigFactory.parseResourcesAnySyntax("application"));
    return withDerivedLists(ConfigFactory.load(layered));
  }

  /**
   * Cassandra contact points always come from {@code tidewatch.cassandra.contact-points}; seed nodes from
   * {@code tidewatch.cluster.seed-nodes} only when it is set, so that {@code pekko.cluster.seed-nodes} written
   * directly in an operator's file still counts.
   */
  private static Config withDerivedLists(Config config) {
    Map<String, Object> derived = new HashMap<>();
    derived.put(
        "datastax-java-driver.basic.contact-points",
        ConfigValueFactory.fromIterable(split(config.getString("tidewatch.cassandra.contact-points"))));
    List<String> seeds = split(config.getString("tidewatch.cluster.seed-nodes"));
    if (!seeds.isEmpty()) {
      derived.put("pekko.cluster.seed-nodes", ConfigValueFactory.fromIterable(seeds));
    }
    return ConfigFactory.parseMap(derived).withFallback(config);
  }

  static List<String> split(String commaSeparated) {
    return Arrays.stream(commaSeparated.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }
}
