package io.tidewatch.persistence.state;

import java.util.LinkedHashMap;
import java.util.Map;

/** The live configuration of every entity type this node runs: one {@link TypeVersions} per type. */
public record LiveTypes(Map<String, TypeVersions> byType) {

  public LiveTypes {
    byType = Map.copyOf(byType);
  }

  /** Each type with its configuration file's version alone, until the node hears the types' histories. */
  public static LiveTypes of(EntityTypes types) {
    Map<String, TypeVersions> byType = new LinkedHashMap<>();
    types.byName().forEach((name, config) -> byType.put(name, TypeVersions.untilHeard(config)));
    return new LiveTypes(byType);
  }

  /** Each type with its configuration file's version alone, for good: tests that run no configuration entity. */
  public static LiveTypes fileOnly(EntityTypes types) {
    Map<String, TypeVersions> byType = new LinkedHashMap<>();
    types.byName().forEach((name, config) -> byType.put(name, TypeVersions.of(config)));
    return new LiveTypes(byType);
  }

  /** The type's versions; throws for a type the node does not run. */
  public TypeVersions of(String type) {
    TypeVersions versions = byType.get(type);
    if (versions == null) {
      throw new IllegalArgumentException("no entity type '" + type + "'; known: " + byType.keySet());
    }
    return versions;
  }

  /**
   * The newest version of each type, taken once: what one ingest batch runs. Throws {@link IllegalStateException} if
   * a type's newest version does not compile on this node ({@link TypeVersions#current}).
   */
  public Map<String, TypeVersions.Live> current() {
    Map<String, TypeVersions.Live> current = new LinkedHashMap<>();
    byType.forEach((name, versions) -> current.put(name, versions.current()));
    return current;
  }
}
