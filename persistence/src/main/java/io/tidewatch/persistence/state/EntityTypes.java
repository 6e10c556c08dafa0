package io.tidewatch.persistence.state;

import com.typesafe.config.Config;
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
      types.put(name, EntityTypeConfig.fromConfig(name, block.getConfig(name)));
    }
    return new EntityTypes(types);
  }

  public Set<String> names() {
    return byName.keySet();
  }

  public Optional<EntityTypeConfig> get(String type) {
    return Optional.ofNullable(byName.get(type));
  }
}
