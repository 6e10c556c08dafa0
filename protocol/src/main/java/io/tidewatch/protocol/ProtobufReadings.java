package io.tidewatch.protocol;

import com.google.protobuf.InvalidProtocolBufferException;
import io.tidewatch.protocol.ParseResult.Category;
import io.tidewatch.protocol.proto.ReadingProtos;

/**
 * The protobuf form of a reading ({@code protocol/src/main/proto/tidewatch/reading.proto}): decoded into a
 * {@link RawReading} for {@link ReadingRules}, and encoded for producers (simulator, benchmarks, tests).
 */
public final class ProtobufReadings {

  private ProtobufReadings() {}

  /** The message for a reading, field for field. */
  public static ReadingProtos.Reading toMessage(Reading reading) {
    ReadingProtos.Reading.Builder message =
        ReadingProtos.Reading.newBuilder()
            .setEntityType(reading.entityType())
            .setEntityId(reading.entityId())
            .setTs(reading.ts())
            .putAllMetrics(reading.metrics())
            .putAllAttrs(reading.attrs());
    if (reading.event() != null) {
      message.setEvent(reading.event());
    }
    return message.build();
  }

  /** The bytes of one Kafka record's value. */
  public static byte[] encode(Reading reading) {
    return toMessage(reading).toByteArray();
  }

  /**
   * proto3 cannot tell an empty string from an absent one, so an empty type or id counts as missing (neither is
   * valid anyway); ts and event are {@code optional}, so their absence is seen.
   */
  static RawReading decode(byte[] value) {
    ReadingProtos.Reading message;
    try {
      message = ReadingProtos.Reading.parseFrom(value);
    } catch (InvalidProtocolBufferException e) {
      throw new InvalidReading(Category.INVALID_PROTOBUF, "invalid protobuf Reading: " + e.getMessage());
    }
    return new RawReading(
        emptyAsAbsent(message.getEntityType()),
        emptyAsAbsent(message.getEntityId()),
        message.hasTs() ? message.getTs() : null,
        message.getMetricsMap(),
        message.hasEvent() ? message.getEvent() : null,
        message.getAttrsMap());
  }

  private static String emptyAsAbsent(String s) {
    return s.isEmpty() ? null : s;
  }
}
