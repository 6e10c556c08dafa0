package io.tidewatch.persistence.serialization;

import com.fasterxml.jackson.databind.module.SimpleModule;
import io.tidewatch.protocol.EntityProtocol.CommandJournaled;
import io.tidewatch.protocol.EntityProtocol.ReadingsRecorded;

/**
 * How events are laid out in the journal where their plain record form is too big, or cannot name the kinds of
 * the events it holds: a Jackson module registered on
 * Pekko's {@code jackson-cbor} binding only ({@code persistence.conf}), so messages between nodes and the JSON of
 * the HTTP API are unchanged.
 */
public final class JournalFormats extends SimpleModule {

  public JournalFormats() {
    super("tidewatch-journal-formats");
    addSerializer(ReadingsRecorded.class, new ReadingsColumns.Writer());
    addDeserializer(ReadingsRecorded.class, new ReadingsColumns.Reader());
    addSerializer(CommandJournaled.class, new CommandEntries.Writer());
    addDeserializer(CommandJournaled.class, new CommandEntries.Reader());
  }
}
