package io.tidewatch.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** Picks the {@code java} binary each child JVM runs on. */
final class JavaRuntimes {

  static final String CASSANDRA_JAVA_ENV = "TIDEWATCH_CASSANDRA_JAVA";
  private static final Path JVM_DIR = Path.of("/usr/lib/jvm");

  private JavaRuntimes() {}

  /** The java of this JVM: Kafka 4.3 runs on 17 and newer. */
  static Path current() {
    return Path.of(System.getProperty("java.home"), "bin", "java");
  }

  /**
   * A JDK 17 (or 11) java for Cassandra 5.0, which dies on newer JDKs ("Setting a system-wide Policy object is not
   * supported"): {@value #CASSANDRA_JAVA_ENV} if set, else this JVM if it is 17 or 11, else a JDK 17 under
   * /usr/lib/jvm.
   */
  static Path forCassandra() {
    String fromEnv = System.getenv(CASSANDRA_JAVA_ENV);
    if (fromEnv != null && !fromEnv.isBlank()) {
      Path java = Path.of(fromEnv);
      if (!Files.isExecutable(java)) {
        throw new LaunchException(CASSANDRA_JAVA_ENV + "=" + fromEnv + " is not an executable java binary");
      }
      return java;
    }
    int feature = Runtime.version().feature();
    if (feature == 17 || feature == 11) {
      return current();
    }
    return findJdk17()
        .orElseThrow(() -> new LaunchException(
            "Cassandra 5.0 needs JDK 17 (or 11), but this JVM is " + feature + " and no JDK 17 was found under "
                + JVM_DIR + ". Install one (apt-get install openjdk-17-jdk-headless) or set " + CASSANDRA_JAVA_ENV
                + " to its bin/java"));
  }

  private static Optional<Path> findJdk17() {
    if (!Files.isDirectory(JVM_DIR)) {
      return Optional.empty();
    }
    try (Stream<Path> dirs = Files.list(JVM_DIR)) {
      return dirs.sorted()
          .filter(dir -> isVersion17(dir.resolve("release")))
          .map(dir -> dir.resolve("bin").resolve("java"))
          .filter(Files::isExecutable)
          .findFirst();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static boolean isVersion17(Path releaseFile) {
    try {
      List<String> lines = Files.readAllLines(releaseFile);
      return lines.stream().anyMatch(line -> line.startsWith("JAVA_VERSION=\"17"));
    } catch (IOException e) {
      return false;
    }
  }
}
