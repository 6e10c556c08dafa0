package io.tidewatch.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigOrigin;
import io.tidewatch.http.auth.ApiTokens;
import io.tidewatch.http.auth.Role;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the API's bearer tokens come from (DESIGN §4): {@code tidewatch.http.tokens} (or {@code TIDEWATCH_TOKENS})
 * when set; otherwise the tokens file, which is made with one fresh token per role, readable by its owner only,
 * the first time. The tokens themselves are never logged.
 */
public final class NodeTokens {

  private static final Logger log = LoggerFactory.getLogger(NodeTokens.class);

  private NodeTokens() {}

  public static ApiTokens load(Config config) {
    String configured = config.getString("tidewatch.http.tokens");
    if (!configured.isBlank()) {
      ApiTokens tokens = parse(configured, config.getValue("tidewatch.http.tokens").origin(), "tidewatch.http.tokens");
      log.info("API: {} bearer token(s) from tidewatch.http.tokens", tokens.size());
      return tokens;
    }
    Path file = file(config);
    try {
      if (!Files.exists(file)) {
        write(file, ApiTokens.generate());
        log.info("API: made one bearer token per role in {}", file.toAbsolutePath());
      }
      ApiTokens tokens = parse(
          Files.readString(file), config.getValue("tidewatch.http.tokens-file").origin(), "tidewatch.http.tokens-file");
      log.info("API: {} bearer token(s) from {}", tokens.size(), file.toAbsolutePath());
      return tokens;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or write the tokens file " + file.toAbsolutePath(), e);
    }
  }

  /** Tokens from {@code spec}; a bad one stops the node with the key it came from and the rule it breaks. */
  private static ApiTokens parse(String spec, ConfigOrigin origin, String key) {
    try {
      return ApiTokens.parse(spec);
    } catch (IllegalArgumentException e) {
      throw new ConfigException.BadValue(origin, key, e.getMessage());
    }
  }

  public static Path file(Config config) {
    return Path.of(config.getString("tidewatch.http.tokens-file"));
  }

  private static void write(Path file, Map<Role, String> tokens) throws IOException {
    if (file.getParent() != null) {
      Files.createDirectories(file.getParent());
    }
    String lines =
        tokens.entrySet().stream().map(e -> e.getValue() + "=" + e.getKey().id()).collect(Collectors.joining("\n"));
    Path temp = Files.createTempFile(file.toAbsolutePath().getParent(), "tokens", ".tmp");
    try {
      Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException notPosix) {
      // a file system without POSIX permissions keeps its defaults
    }
    Files.writeString(temp, "# Tidewatch API bearer tokens: token=role[+role...]\n" + lines + "\n");
    Files.move(temp, file);
  }
}
