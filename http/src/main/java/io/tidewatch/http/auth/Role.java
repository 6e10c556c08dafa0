package io.tidewatch.http.auth;

import java.util.Arrays;
import java.util.Locale;

/** What a bearer token may do (DESIGN §4). Each route requires exactly one role. */
public enum Role {
  READER,
  WRITER,
  AUDITOR,
  OPERATOR;

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Role parse(String id) {
    for (Role role : values()) {
      if (role.id().equals(id.trim())) {
        return role;
      }
    }
    throw new IllegalArgumentException(
        "unknown role '" + id + "'; roles are " + Arrays.stream(values()).map(Role::id).toList());
  }
}
