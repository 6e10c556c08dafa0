package io.tidewatch.http.ingest;

import io.tidewatch.protocol.ReadingFormat;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;

/** Where readings posted over HTTP go: the input topic, so they take the same path as every other reading. */
public interface ReadingsPublisher {

  /** A valid reading as posted, keyed by its entity id: its bytes, in the format they came in. */
  record KeyedReading(String entityId, byte[] value, ReadingFormat format) {}

  /** Completes once every reading is acknowledged by the broker; fails if any is not. */
  CompletionStage<Done> publish(List<KeyedReading> readings);
}
