package io.tidewatch.protocol;

/**
 * The grammar of entity ids and of names (entity types, metrics, specs, events, attributes; DESIGN §2), written
 * once: 1-128 (ids) or 1-64 (names) characters of {@code [A-Za-z0-9._:-]}. Parser, API, cursors and command line
 * all check against it, and their messages quote {@link #ENTITY_ID_RULE} / {@link #NAME_RULE}.
 */
public final class Identifiers {

  /** The characters allowed, as a regex character class. */
  public static final String CHARS = "[A-Za-z0-9._:-]";
  public static final int ENTITY_ID_MAX = 128;
  public static final int NAME_MAX = 64;
  public static final String ENTITY_ID_RULE = "1-" + ENTITY_ID_MAX + " characters of " + CHARS;
  public static final String NAME_RULE = "1-" + NAME_MAX + " characters of " + CHARS;
  /** For patterns that embed an id or a name (the command line's TYPE/ID). */
  public static final String ENTITY_ID_REGEX = CHARS + "{1," + ENTITY_ID_MAX + "}";
  public static final String NAME_REGEX = CHARS + "{1," + NAME_MAX + "}";

  private Identifiers() {}

  public static boolean isEntityId(String s) {
    return matches(s, ENTITY_ID_MAX);
  }

  public static boolean isName(String s) {
    return matches(s, NAME_MAX);
  }

  /** 1 to {@code maxLength} characters of {@link #CHARS}; a loop rather than a regex: it runs per reading. */
  private static boolean matches(String s, int maxLength) {
    int n = s.length();
    if (n < 1 || n > maxLength) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '.' || c == '_' || c == ':' || c == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
