package io.tidewatch.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Splits a CQL script into statements the driver can run one by one. Supports what our scripts use: whole-line
 * {@code --} and {@code //} comments and statements ended by {@code ;} (no semicolons inside string literals).
 */
final class CqlScript {

  private CqlScript() {}

  static List<String> fromResource(String resource) {
    try (InputStream in = CqlScript.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("CQL script " + resource + " is not on the classpath");
      }
      return statements(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read CQL script " + resource, e);
    }
  }

  static List<String> statements(String script) {
    String withoutComments = script.lines()
        .filter(line -> !line.strip().startsWith("--") && !line.strip().startsWith("//"))
        .collect(Collectors.joining("\n"));
    return Arrays.stream(withoutComments.split(";"))
        .map(String::strip)
        .filter(statement -> !statement.isEmpty())
        .toList();
  }
}
