package io.tidewatch.persistence.readside;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

class GroupedWritesTest {

  /** Each write the test answers itself, in order. */
  private final List<List<String>> written = new ArrayList<>();
  private final List<CompletableFuture<Void>> answers = new ArrayList<>();

  private CompletionStage<?> write(List<String> group) {
    written.add(group);
    CompletableFuture<Void> answer = new CompletableFuture<>();
    answers.add(answer);
    return answer;
  }

  @Test
  void writesAnItemAtOnceWhenIdle() {
    GroupedWrites<String> writes = new GroupedWrites<>(10, this::write);
    CompletionStage<Void> a = writes.add("a");
    assertEquals(List.of(List.of("a")), written);
    assertFalse(a.toCompletableFuture().isDone());

    answers.get(0).complete(null);
    assertTrue(a.toCompletableFuture().isDone());
  }

  @Test
  void itemsAddedDuringAWriteShareTheNextOneInOrder() {
    GroupedWrites<String> writes = new GroupedWrites<>(10, this::write);
    writes.add("a");
    CompletionStage<Void> b = writes.add("b");
    CompletionStage<Void> c = writes.add("c");
    assertEquals(1, written.size(), "one write in flight at a time");

    answers.get(0).complete(null);
    assertEquals(List.of(List.of("a"), List.of("b", "c")), written);
    assertFalse(b.toCompletableFuture().isDone());
    answers.get(1).complete(null);
    assertTrue(b.toCompletableFuture().isDone() && c.toCompletableFuture().isDone());
  }

  @Test
  void aGroupHoldsAtMostTheBound() {
    GroupedWrites<String> writes = new GroupedWrites<>(2, this::write);
    writes.add("a");
    writes.add("b");
    writes.add("c");
    writes.add("d");
    answers.get(0).complete(null);
    answers.get(1).complete(null);
    assertEquals(List.of(List.of("a"), List.of("b", "c"), List.of("d")), written);
  }

  @Test
  void aFailedWriteFailsItsItemsAndTheNextGroupIsStillWritten() {
    GroupedWrites<String> writes = new GroupedWrites<>(10, this::write);
    CompletionStage<Void> a = writes.add("a");
    CompletionStage<Void> b = writes.add("b");
    answers.get(0).completeExceptionally(new IllegalStateException("Cassandra unavailable"));
    assertTrue(a.toCompletableFuture().isCompletedExceptionally());
    assertEquals(List.of(List.of("a"), List.of("b")), written);
    answers.get(1).complete(null);
    assertTrue(b.toCompletableFuture().isDone() && !b.toCompletableFuture().isCompletedExceptionally());
  }

  @Test
  void writesAnsweredAtOnceDoNotNest() {
    List<String> seen = new ArrayList<>();
    CompletableFuture<Void> first = new CompletableFuture<>();
    GroupedWrites<String> writes = new GroupedWrites<>(1, group -> {
      seen.addAll(group);
      return seen.size() == 1 ? first : CompletableFuture.completedFuture(null);
    });
    List<CompletionStage<Void>> results = new ArrayList<>();
    for (int i = 0; i < 100_000; i++) {
      results.add(writes.add("e" + i));
    }
    first.complete(null); // a stack frame per following write would overflow here
    assertEquals(100_000, seen.size());
    assertTrue(results.stream().allMatch(r -> r.toCompletableFuture().isDone()));
  }
}
