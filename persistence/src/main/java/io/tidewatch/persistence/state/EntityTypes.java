package io.tidewatch.persistence.state;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.tidewatch.protocol.TypeConfigProtocol.Sources;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The configured entity types ({@code tidewatch.entity-types}), read once at boot. */
public record EntityTypes(Map<String, EntityTypeConfig> byName) {

  public EntityTypes {
    byName = Map.copyOf(byName);
  }

  public static EntityTypes fromConfig(Config config) {
    Config block = config.getConfig("tidewatch.entity-types");
    Map<String, EntityTypeConfig> types = new LinkedHashMap<>();
    for (String name : block.root().keySet()) {
      try {
        types.put(name, EntityTypeConfig.fromConfig(name, block.getConfig(name)));
      } catch (IllegalArgumentException e) { // a rule of ours, not of HOCON: name the key it is about
        throw new ConfigException.BadValue(block.getValue(name).origin(), "tidewatch.entity-types." + name, e.getMessage());
      }
    }
    return new EntityTypes(types);
  }

  /**
   * What each type's configuration file block gives as the first version of its live configuration
   * ({@link EntityTypeConfig#sourcesOf}).
   */
  public static Map<String, Sources> fileSources(Config config) {
    Config block = config.getConfig("tidewatch.entity-types");
    Map<String, Sources> sources = new LinkedHashMap<>();
    for (String name : block.root().keySet()) {
      sources.put(name, EntityTypeConfig.sourcesOf(block.getConfig(name)));
    }
    return sources;
  }

  public Set<String> names() {
    return byName.keySet();
  }

  public Optional<EntityTypeConfig> get(String type) {
    return Optional.ofNullable(byName.get(type));
  }
}
