package io.tidewatch.protocol;

import java.util.Locale;

/**
 * The wire formats of a reading: the JSON of DESIGN §2 and the protobuf {@code Reading} of {@code reading.proto}.
 * A Kafka record names its format in a {@code content-type} header, or its first bytes tell it.
 */
public enum ReadingFormat {
  JSON("application/json"),
  PROTOBUF("application/x-protobuf");

  /** The Kafka record header that may name the format (HTTP's name for the same thing). */
  public static final String CONTENT_TYPE_HEADER = "content-type";

  private final String mediaType;

  ReadingFormat(String mediaType) {
    this.mediaType = mediaType;
  }

  public String mediaType() {
    return mediaType;
  }

  /** The format a content type names (parameters and case aside); null when it is absent or names neither. */
  public static ReadingFormat ofContentType(String contentType) {
    if (contentType == null) {
      return null;
    }
    int parameters = contentType.indexOf(';');
    String type = (parameters < 0 ? contentType : contentType.substring(0, parameters)).strip().toLowerCase(Locale.ROOT);
    return switch (type) {
      case "application/x-protobuf", "application/protobuf" -> PROTOBUF;
      case "application/json" -> JSON;
      default -> null;
    };
  }

  /** The header's format if it names one, else what the bytes tell ({@link #sniff}). */
  public static ReadingFormat of(byte[] value, String contentType) {
    ReadingFormat named = ofContentType(contentType);
    return named != null ? named : sniff(value);
  }

  /**
   * A record without a header is protobuf when its first byte is a control character (below 0x20) and it is not
   * JSON whitespace followed by '{' or '['; anything else is JSON. This never mistakes a valid record:
   * <ul>
   *   <li>JSON allows no control character before its value but whitespace (tab, LF, CR), and a JSON reading is an
   *       object, so after that whitespace comes '{'.
   *   <li>A protobuf Reading written in field order starts with the tag of {@code entity_type}, 0x0A — which is
   *       also LF, hence the second clause — then the type's length (1–64, as types are names) and its first
   *       character, a letter, digit or one of {@code ._:-}. Skipping whitespace from 0x0A stops at the length
   *       (or, for lengths 9, 10, 13 and 32, at that first character): never at '{' (123) or '[' (91).
   *   <li>A Reading without {@code entity_type} starts with 0x12 or 0x18, control characters JSON never starts with.
   * </ul>
   * Records that are neither may be taken either way; they are rejected, only the reason differs. A producer that
   * writes fields out of order must send the header.
   */
  public static ReadingFormat sniff(byte[] value) {
    if (value.length == 0 || (value[0] & 0xff) >= 0x20) {
      return JSON;
    }
    int i = 0;
    while (i < value.length && isJsonWhitespace(value[i])) {
      i++;
    }
    return i < value.length && (value[i] == '{' || value[i] == '[') ? JSON : PROTOBUF;
  }

  private static boolean isJsonWhitespace(byte b) {
    return b == ' ' || b == '\t' || b == '\n' || b == '\r';
  }
}
