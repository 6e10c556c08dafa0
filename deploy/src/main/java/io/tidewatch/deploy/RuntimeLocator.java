package io.tidewatch.deploy;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the broker runtimes that the {@code deploy/runtime-*} modules copy at build time: the Tidewatch home is
 * system property {@code tidewatch.home}, else environment variable {@code TIDEWATCH_HOME}, else the working
 * directory.
 */
public final class RuntimeLocator {

  private RuntimeLocator() {}

  /** The repository root that holds {@code deploy/}. */
  public static Path home() {
    String home = System.getProperty("tidewatch.home");
    if (home == null || home.isBlank()) {
      home = System.getenv("TIDEWATCH_HOME");
    }
    if (home == null || home.isBlank()) {
      home = System.getProperty("user.dir");
    }
    return Path.of(home).toAbsolutePath().normalize();
  }

  /** Jars of the Kafka 4.3.1 broker; fails with the build command if they are missing. */
  public static Path kafkaLib() {
    return requireLib("runtime-kafka", "Kafka");
  }

  /** Jars of the Cassandra 5.0.9 node; fails with the build command if they are missing. */
  public static Path cassandraLib() {
    return requireLib("runtime-cassandra", "Cassandra");
  }

  private static Path requireLib(String module, String what) {
    Path lib = home().resolve("deploy").resolve(module).resolve("target").resolve("lib");
    if (!Files.isDirectory(lib)) {
      throw new LaunchException(
          what + " runtime jars not found at " + lib + ". Build them with: cd " + home() + " && mvn -B -q -f deploy/"
              + module + "/pom.xml generate-resources (or set tidewatch.home / TIDEWATCH_HOME to the repository root)");
    }
    return lib;
  }
}
