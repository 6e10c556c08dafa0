package io.tidewatch.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** How far past its threshold a value that fired an anomaly rule went: graded per rule by ratio bands. */
public enum Severity {
  WARNING,
  ERROR,
  CRITICAL;

  @JsonValue
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  public static Severity of(String id) {
    for (Severity severity : values()) {
      if (severity.id().equals(id)) {
        return severity;
      }
    }
    throw new IllegalArgumentException("unknown severity '" + id + "' (warning, error or critical)");
  }
}
