package io.tidewatch.persistence.serialization;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.tidewatch.protocol.EntityProtocol.CommandJournaled;
import io.tidewatch.protocol.EntityProtocol.Event;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * {@code CommandJournaled} in the journal: its entries in order, each as its event's simple class name and its
 * journal form (readings in columns, {@link ReadingsColumns}):
 *
 * <pre>{"entries":[["EntityRegistered",{"firstSeenMs":..}], ["ReadingsRecorded",{"topic":..,"ts":[..],..}],
 *  ["WindowClosed",{"spec":"tumbling-60s",..}], ["AnomalyDetected",{"alertId":"s1:4",..}]]}</pre>
 *
 * The names are those of the protocol's events ({@code Event}'s permitted classes), so a new event is an entry with
 * nothing added here. Entries are written in their kinds' current journal form, which Pekko's version check does not
 * see inside this event: a change to an entry's journal form needs a migration of this event as well.
 */
final class CommandEntries {

  /** Every kind of event a command may journal, by simple name. */
  private static final Map<String, Class<?>> KINDS = Arrays.stream(Event.class.getPermittedSubclasses())
      .filter(kind -> kind != CommandJournaled.class)
      .collect(Collectors.toUnmodifiableMap(Class::getSimpleName, Function.identity()));

  private CommandEntries() {}

  static final class Writer extends JsonSerializer<CommandJournaled> {
    @Override
    public void serialize(CommandJournaled command, JsonGenerator gen, SerializerProvider provider) throws IOException {
      gen.writeStartObject();
      gen.writeFieldName("entries");
      gen.writeStartArray(command.entries(), command.entries().size());
      for (Event entry : command.entries()) {
        gen.writeStartArray(entry, 2);
        gen.writeString(entry.getClass().getSimpleName());
        provider.defaultSerializeValue(entry, gen);
        gen.writeEndArray();
      }
      gen.writeEndArray();
      gen.writeEndObject();
    }
  }

  /** Reads {@code {"entries":[...]}}; other fields (none today) are skipped, as Pekko's Jackson skips unknown ones. */
  static final class Reader extends JsonDeserializer<CommandJournaled> {
    @Override
    public CommandJournaled deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
      if (p.currentToken() != JsonToken.START_OBJECT) {
        throw MismatchedInputException.from(p, CommandJournaled.class, "expected {\"entries\":[...]}");
      }
      List<Event> entries = null;
      for (String field = p.nextFieldName(); field != null; field = p.nextFieldName()) {
        if (p.nextToken() == JsonToken.START_ARRAY && field.equals("entries")) {
          entries = entries(p, ctx);
        } else {
          p.skipChildren();
        }
      }
      if (entries == null || entries.size() < 2) {
        throw MismatchedInputException.from(p, CommandJournaled.class,
            "a command's row holds two or more entries, got " + (entries == null ? "none" : entries));
      }
      return new CommandJournaled(entries);
    }

    /** From the entries' START_ARRAY to their END_ARRAY. */
    private static List<Event> entries(JsonParser p, DeserializationContext ctx) throws IOException {
      List<Event> entries = new ArrayList<>();
      while (p.nextToken() == JsonToken.START_ARRAY) {
        String name = p.nextTextValue();
        Class<?> kind = name == null ? null : KINDS.get(name);
        if (kind == null) {
          throw MismatchedInputException.from(p, CommandJournaled.class, "unknown entry " + name + ", expected one of " + KINDS.keySet());
        }
        p.nextToken();
        entries.add((Event) ctx.readValue(p, kind));
        if (p.nextToken() != JsonToken.END_ARRAY) {
          throw MismatchedInputException.from(p, CommandJournaled.class, "an entry is [name, event]");
        }
      }
      if (p.currentToken() != JsonToken.END_ARRAY) {
        throw MismatchedInputException.from(p, CommandJournaled.class, "expected the end of the entries");
      }
      return entries;
    }
  }
}
