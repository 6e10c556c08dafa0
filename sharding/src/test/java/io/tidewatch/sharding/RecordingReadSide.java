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

  /**
   * The expiry columns of an entity's row as Cassandra keeps them: a write replaces them only with a write time at
   * least that of the last ({@link EntityIndex#expiryWriteTime}).
   */
  record ExpiryRow(Long expiresAt, long heardAt, long seqNr, Long expiredAt, long writeTime) {}

  final Map<String, ExpiryRow> expiries = new ConcurrentHashMap<>();
  /** The ids each read of due rows answered, in order. */
  final List<List<String>> dueReads = new CopyOnWriteArrayList<>();

  private void writeExpiry(String type, String id, ExpiryRow row) {
    expiries.merge(type + "/" + id, row, (old, now) -> now.writeTime() >= old.writeTime() ? now : old);
  }

  @Override
  public CompletionStage<?> expiresAt(
      String type, String id, long heardAt, long seqNr, long expiresAt, boolean heardKnown) {
    writeExpiry(type, id, new ExpiryRow(expiresAt, heardAt, seqNr, null, EntityIndex.expiryWriteTime(seqNr, heardKnown)));
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletionStage<?> expired(String type, String id, long expiredAt, long seqNr) {
    writeExpiry(type, id, new ExpiryRow(null, 0, seqNr, expiredAt, EntityIndex.expiryWriteTime(seqNr, true)));
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletionStage<?> heardAfterExpiry(String type, String id, long seqNr) {
    ExpiryRow row = expiries.get(type + "/" + id);
    if (row != null) {
      writeExpiry(type, id, new ExpiryRow(row.expiresAt(), row.heardAt(), row.seqNr(), null,
          EntityIndex.expiryWriteTime(seqNr, true)));
    }
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletionStage<List<DueExpiry>> dueToExpire(String type, long nowMs, String after, int limit) {
    List<DueExpiry> due = expiries.entrySet().stream()
        .filter(e -> e.getKey().startsWith(type + "/"))
        .filter(e -> e.getValue().expiresAt() != null && e.getValue().expiresAt() <= nowMs)
        .filter(e -> e.getKey().substring(type.length() + 1).compareTo(after) > 0)
        .sorted(Map.Entry.comparingByKey())
        .limit(limit)
        .map(e -> new DueExpiry(e.getKey().substring(type.length() + 1), e.getValue().heardAt(), e.getValue().seqNr()))
        .toList();
    dueReads.add(due.stream().map(DueExpiry::id).toList());
    return CompletableFuture.completedFuture(due);
  }

  @Override
  public CompletionStage<?> publish(String type, String id, Outputs outputs) {
    published.add(outputs);
    return publication.get();
  }
}
