package io.tidewatch.protocol;

/**
 * Marker for every message that crosses an actor boundary or is journaled: commands, events, replies and
 * snapshots. It is bound to Pekko's {@code jackson-cbor} serializer in {@code serialization.conf} of this module,
 * so nothing is ever serialized with Java serialization and no Jackson binding to {@code Object} is needed.
 */
public interface CborSerializable {}
