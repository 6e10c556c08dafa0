package io.tidewatch.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.google.protobuf.CodedInputStream;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidewatch.http.auth.Access;
import io.tidewatch.http.auth.Role;
import io.tidewatch.http.ingest.ReadingsPublisher;
import io.tidewatch.http.ingest.ReadingsPublisher.KeyedReading;
import io.tidewatch.protocol.ParseResult;
import io.tidewatch.protocol.ReadingFormat;
import io.tidewatch.protocol.ReadingParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.apache.pekko.util.ByteString;

/**
 * {@code POST /api/v1/readings} for writers: a JSON array or NDJSON of readings (DESIGN §2), or with
 * {@code Content-Type: application/x-protobuf} a sequence of length-delimited protobuf Readings (each a varint
 * length, then the message: {@code writeDelimitedTo}); each item is validated like a Kafka record; the valid ones are
 * produced to the input topic keyed by entity id, in the format they came in, the rest reported by index with their
 * reason. 202 once the broker has them; 400 if no item is valid; a body over the size limit is 413.
 */
final class ReadingsRoutes extends AllDirectives {

  /** Reasons listed in one answer at most; the counts are always complete. */
  static final int MAX_ERRORS_LISTED = 1000;

  record Rejection(int index, String reason) {}

  record Accepted(int accepted, int rejected, List<Rejection> errors) {}

  /** One item of the body: its bytes, or why the body could not be cut there (then it is the last). */
  private record Item(byte[] value, String broken) {}

  private final Access access;
  private final ReadingParser parser;
  private final ReadingsPublisher publisher;
  private final ObjectMapper mapper;
  private final long maxBodyBytes;

  ReadingsRoutes(Access access, ReadingParser parser, ReadingsPublisher publisher, ObjectMapper mapper, long maxBodyBytes) {
    this.access = access;
    this.parser = parser;
    this.publisher = publisher;
    this.mapper = mapper;
    this.maxBodyBytes = maxBodyBytes;
  }

  Route routes() {
    return path("readings", () -> post(() -> access.require(Role.WRITER, () ->
        withSizeLimit(maxBodyBytes, () ->
            extractRequestEntity(requestEntity -> entity(Unmarshaller.entityToByteString(), body ->
                onSuccess(accept(format(requestEntity), body), answer ->
                    complete(StatusCodes.ACCEPTED, answer, Jackson.marshaller(mapper)))))))));
  }

  /** Protobuf when the content type says so; JSON otherwise, as before there was a choice. */
  private static ReadingFormat format(HttpEntity requestEntity) {
    return ReadingFormat.ofContentType(requestEntity.getContentType().mediaType().toString()) == ReadingFormat.PROTOBUF
        ? ReadingFormat.PROTOBUF
        : ReadingFormat.JSON;
  }

  private CompletionStage<Accepted> accept(ReadingFormat format, ByteString body) {
    List<Item> items = format == ReadingFormat.PROTOBUF ? delimitedItems(body) : jsonItems(body);
    List<KeyedReading> valid = new ArrayList<>();
    List<Rejection> errors = new ArrayList<>();
    int rejected = 0;
    for (int i = 0; i < items.size(); i++) {
      Item item = items.get(i);
      ParseResult result =
          item.broken() != null
              ? new ParseResult.Rejected(ParseResult.Category.INVALID_PROTOBUF, item.broken())
              : parser.parseAs(item.value(), format);
      if (result instanceof ParseResult.Parsed parsed) {
        valid.add(new KeyedReading(parsed.reading().entityId(), item.value(), format));
      } else {
        rejected++;
        if (errors.size() < MAX_ERRORS_LISTED) {
          errors.add(new Rejection(i, ((ParseResult.Rejected) result).reason()));
        }
      }
    }
    if (valid.isEmpty()) { // nothing to take: the body is wrong as a whole, not in a few items
      throw ProblemException.badRequest(String.format(
          "none of the %d readings in the body is valid; the first, item %d: %s",
          rejected, errors.get(0).index(), errors.get(0).reason()));
    }
    Accepted answer = new Accepted(valid.size(), rejected, errors);
    return publisher.publish(valid).handle((done, failure) -> {
      if (failure != null) {
        throw ProblemException.unavailable(
            "the input topic did not take every reading (" + rootMessage(failure) + "); some may have been taken, "
                + "so a retry can record those twice");
      }
      return answer;
    });
  }

  private static String rootMessage(Throwable failure) {
    Throwable t = failure;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
  }

  /**
   * The items of a body of length-delimited protobuf messages. A length that is malformed or runs past the end of
   * the body leaves the rest uncuttable: it becomes the last item, rejected with the reason.
   */
  private static List<Item> delimitedItems(ByteString body) {
    if (body.isEmpty()) {
      throw ProblemException.badRequest("the body is empty; send length-delimited protobuf Readings");
    }
    CodedInputStream in = CodedInputStream.newInstance(body.toArray());
    List<Item> items = new ArrayList<>();
    try {
      while (!in.isAtEnd()) {
        items.add(new Item(in.readRawBytes(in.readRawVarint32()), null));
      }
    } catch (IOException e) {
      items.add(new Item(null, "the body cannot be cut into length-delimited Readings from here on: " + e.getMessage()));
    }
    return items;
  }

  /** The items of a JSON array, one JSON object, or the non-blank lines of NDJSON. */
  private List<Item> jsonItems(ByteString body) {
    return jsonValues(body).stream().map(value -> new Item(value, null)).toList();
  }

  private List<byte[]> jsonValues(ByteString body) {
    String text = body.utf8String().strip();
    if (text.isEmpty()) {
      throw ProblemException.badRequest("the body is empty; send a JSON array or NDJSON of readings");
    }
    if (text.charAt(0) == '{' && isOneJsonValue(text)) {
      return List.of(text.getBytes(StandardCharsets.UTF_8)); // one reading, perhaps pretty-printed over lines
    }
    if (text.charAt(0) != '[') {
      return Arrays.stream(text.split("\r?\n")).filter(line -> !line.isBlank()).map(line -> line.getBytes(StandardCharsets.UTF_8)).toList();
    }
    JsonNode array;
    try {
      array = mapper.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(text);
    } catch (JsonProcessingException e) {
      throw ProblemException.badRequest("the body starts like a JSON array but is not valid JSON: " + firstLine(e));
    }
    List<byte[]> items = new ArrayList<>(array.size());
    for (JsonNode item : array) {
      try {
        items.add(mapper.writeValueAsBytes(item));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("a parsed JSON node always serializes", e);
      }
    }
    return items;
  }

  private boolean isOneJsonValue(String text) {
    try {
      mapper.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(text);
      return true;
    } catch (JsonProcessingException e) {
      return false;
    }
  }

  private static String firstLine(JsonProcessingException e) {
    String message = String.valueOf(e.getOriginalMessage());
    return message.lines().findFirst().orElse(message);
  }
}
