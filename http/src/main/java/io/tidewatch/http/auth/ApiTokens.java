package io.tidewatch.http.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The configured bearer tokens and their roles, parsed from {@code "tokenA=reader+auditor,tokenB=operator"}
 * (DESIGN §4). Only SHA-256 digests are kept, and a presented token is compared with every one of them in constant
 * time, so neither the comparison nor the number of matches leaks through timing. Tokens are never logged.
 */
public final class ApiTokens {

  private static final int MIN_TOKEN_LENGTH = 16;
  private static final SecureRandom RANDOM = new SecureRandom();

  private record Entry(byte[] digest, Set<Role> roles) {}

  private final List<Entry> entries;

  private ApiTokens(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  /** Parses the configured form; the error names the entry by position, never the token. */
  public static ApiTokens parse(String spec) {
    Map<String, Set<Role>> tokens = new LinkedHashMap<>();
    String[] items = spec.split("[,\\n]");
    for (int i = 0; i < items.length; i++) {
      String item = items[i].trim();
      if (item.isEmpty() || item.startsWith("#")) {
        continue;
      }
      int eq = item.lastIndexOf('=');
      if (eq <= 0 || eq == item.length() - 1) {
        throw new IllegalArgumentException("token entry " + (i + 1) + " must read token=role[+role...]");
      }
      String token = item.substring(0, eq).trim();
      if (token.length() < MIN_TOKEN_LENGTH) {
        throw new IllegalArgumentException(
            "token entry " + (i + 1) + " is shorter than " + MIN_TOKEN_LENGTH + " characters");
      }
      Set<Role> roles = tokens.computeIfAbsent(token, t -> EnumSet.noneOf(Role.class));
      for (String role : item.substring(eq + 1).split("\\+")) {
        try {
          roles.add(Role.parse(role));
        } catch (IllegalArgumentException e) {
          // Not the value: a mistyped entry may hold the secret there.
          throw new IllegalArgumentException(
              "token entry " + (i + 1) + " names an unknown role; roles are reader, writer, auditor, operator");
        }
      }
    }
    List<Entry> entries = new ArrayList<>();
    tokens.forEach((token, roles) -> entries.add(new Entry(digest(token), Set.copyOf(roles))));
    return new ApiTokens(entries);
  }

  /** One fresh random token per role, in the configured form: what the demo makes when none are set. */
  public static Map<Role, String> generate() {
    Map<Role, String> tokens = new LinkedHashMap<>();
    for (Role role : Role.values()) {
      byte[] secret = new byte[24];
      RANDOM.nextBytes(secret);
      tokens.put(role, "tw-" + role.id() + "-" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret));
    }
    return tokens;
  }

  public boolean isEmpty() {
    return entries.isEmpty();
  }

  public int size() {
    return entries.size();
  }

  /** The roles of a presented token; empty for an unknown one. */
  public Set<Role> rolesOf(String presented) {
    byte[] digest = digest(presented);
    Set<Role> roles = EnumSet.noneOf(Role.class);
    for (Entry entry : entries) { // no early exit: every entry is compared
      if (MessageDigest.isEqual(entry.digest, digest)) {
        roles.addAll(entry.roles);
      }
    }
    return roles;
  }

  private static byte[] digest(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
