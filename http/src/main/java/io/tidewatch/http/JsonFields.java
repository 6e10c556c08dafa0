package io.tidewatch.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/** Checks of the fields of a JSON request body, each failing as a 400 problem that names the field. */
final class JsonFields {

  private JsonFields() {}

  /** Fails naming the first field of {@code node} that is not {@code known} ({@code what}: "field", "matcher"). */
  static void onlyKnown(JsonNode node, Set<String> known, String what) {
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!known.contains(name)) {
        throw ProblemException.badRequest("unknown " + what + " '" + name + "'; known: " + String.join(", ", sorted(known)));
      }
    }
  }

  /** A string field of 1 to {@code max} characters; null when absent. */
  static String text(JsonNode node, String field, int max) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual() || value.asText().isEmpty() || value.asText().length() > max) {
      throw ProblemException.badRequest(field + " must be a string of 1-" + max + " characters");
    }
    return value.asText();
  }

  static List<String> sorted(Set<String> names) {
    return names.stream().sorted().toList();
  }
}
