package io.tidewatch.protocol;

import io.tidewatch.protocol.ParseResult.Category;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Parses and validates input records (DESIGN §2) in either wire format ({@link ReadingFormat}): the JSON forms
 * ({@link JsonReadings}) and the protobuf {@code Reading} ({@link ProtobufReadings}) decode to the same
 * {@link RawReading}, and one set of rules ({@link ReadingRules}) judges it, so both formats accept the same
 * readings and reject bad ones with the same reasons. Never throws on bad input: every problem becomes a
 * {@link ParseResult.Rejected} with a reason for the dead-letter topic.
 */
public final class ReadingParser {

  public static final int MAX_RECORD_BYTES = 64 * 1024;
  public static final int MAX_METRICS = 64;
  public static final int MAX_ATTRS = 32;
  /** Larger magnitudes would overflow window sums and variances into infinities. */
  public static final double MAX_METRIC_MAGNITUDE = 1e15;
  public static final Duration DEFAULT_MAX_FUTURE_SKEW = Duration.ofDays(1);

  private final ReadingRules rules;

  /** A parser for these entity types, accepting event times up to a day ahead of the system clock. */
  public ReadingParser(Set<String> entityTypes) {
    this(entityTypes, DEFAULT_MAX_FUTURE_SKEW, System::currentTimeMillis);
  }

  /**
   * @param entityTypes the configured entity types; readings of any other type are rejected
   * @param maxFutureSkew how far ahead of {@code clock} an event time may be: a reading from the future would hold
   *     its entity's watermark there and make every later reading late
   */
  public ReadingParser(Set<String> entityTypes, Duration maxFutureSkew, LongSupplier clock) {
    this.rules = new ReadingRules(entityTypes, maxFutureSkew, clock);
  }

  /** A record without a content type: its first bytes tell the format. */
  public ParseResult parse(byte[] value) {
    return parse(value, null);
  }

  /** A record with the content type its producer gave (a Kafka header; null when it has none). */
  public ParseResult parse(byte[] value, String contentType) {
    return parseAs(value, value == null ? ReadingFormat.JSON : ReadingFormat.of(value, contentType));
  }

  /** A record whose format is known (the items of an HTTP body). */
  public ParseResult parseAs(byte[] value, ReadingFormat format) {
    if (value == null || value.length == 0) {
      return reject(Category.NOT_AN_OBJECT, "empty record value");
    }
    if (value.length > MAX_RECORD_BYTES) {
      return reject(Category.TOO_LARGE, "record of " + value.length + " bytes exceeds the limit of " + MAX_RECORD_BYTES);
    }
    try {
      RawReading raw;
      if (format == ReadingFormat.PROTOBUF) {
        raw = ProtobufReadings.decode(value);
      } else {
        raw = JsonReadings.streamed(value);
        if (raw == null) {
          raw = JsonReadings.tree(value);
        }
      }
      return new ParseResult.Parsed(rules.validate(raw));
    } catch (InvalidReading e) {
      return reject(e.category, e.getMessage());
    }
  }

  /** A JSON record through the tree alone, never the streamed parse: what the streamed parse must agree with. */
  ParseResult parseTree(byte[] value) {
    try {
      return new ParseResult.Parsed(rules.validate(JsonReadings.tree(value)));
    } catch (InvalidReading e) {
      return reject(e.category, e.getMessage());
    }
  }

  /**
   * Why these metrics break the rules of DESIGN §2 (a bad name, a value not finite, too many), or null: the same rules
   * as {@link #parse}, for metrics a type's pipeline derived or converted after the reading was validated.
   */
  public static String metricsProblem(Map<String, Double> metrics) {
    try {
      ReadingRules.checkMetrics(metrics);
      return null;
    } catch (InvalidReading e) {
      return e.getMessage();
    }
  }

  private static ParseResult reject(Category category, String reason) {
    return new ParseResult.Rejected(category, reason);
  }
}
