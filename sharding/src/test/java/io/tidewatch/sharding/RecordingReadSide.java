package io.tidewatch.sharding;

import io.tidewatch.persistence.output.OutputSink;
import io.tidewatch.persistence.readside.EntityIndex;
import io.tidewatch.protocol.EntityProtocol.Outputs;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * The entity's view of the read side for tests: the pending-output marks it set and the outputs it published itself;
 * {@code publication} decides how each publication ends.
 */
final class RecordingReadSide implements EntityIndex, OutputSink {

  final Map<String, Boolean> pendingMarks = new ConcurrentHashMap<>();
  final List<Outputs> published = new CopyOnWriteArrayList<>();
  private final Supplier<CompletableFuture<?>> publication;

  RecordingReadSide() {
    this(() -> CompletableFuture.completedFuture(null));
  }

  RecordingReadSide(Supplier<CompletableFuture<?>> publication) {
    this.publication = publication;
  }

  @Override
  public CompletionStage<?> outputsPending(String type, String id, boolean pending) {
    pendingMarks.put(type + "/" + id, pending);
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletionStage<List<String>> withOutputsPending(String type) {
    return CompletableFuture.completedFuture(pendingMarks.entrySet().stream()
        .filter(mark -> mark.getValue() && mark.getKey().startsWith(type + "/"))
        .map(mark -> mark.getKey().substring(type.length() + 1))
        .toList());
  }

  @Override
  public CompletionStage<?> publish(String type, String id, Outputs outputs) {
    published.add(outputs);
    return publication.get();
  }
}
