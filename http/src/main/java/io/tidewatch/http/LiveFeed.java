package io.tidewatch.http;

import io.tidewatch.persistence.readside.AlertCursor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What a live stream polled from a read-side table ordered by (time, id) has sent recently (by id, with its time),
 * what the last poll found that is new, and where the next poll continues when the last one came back full (a
 * burst larger than a page). Rows reach such a table a little out of time order (stamped before their journal
 * write, written after it, by many entities at once; a retried batch later still), so every poll looks back a while
 * and skips the ids it already sent.
 *
 * @param position an item's place in the table: its time and id
 */
record LiveFeed<T>(
    AlertCursor resumeAfter,
    Map<String, Long> sent,
    List<T> fresh,
    AlertCursor continueAfter,
    Function<T, AlertCursor> position,
    int perPoll) {

  LiveFeed(AlertCursor resumeAfter, Function<T, AlertCursor> position, int perPoll) {
    this(resumeAfter, new HashMap<>(), List.of(), null, position, perPoll);
  }

  AlertCursor lookFrom(long lookbackMs) {
    if (continueAfter != null) {
      return continueAfter;
    }
    long newestSent = sent.values().stream().mapToLong(Long::longValue).max().orElse(resumeAfter.time());
    return new AlertCursor(Math.max(0, Math.max(newestSent, resumeAfter.time()) - lookbackMs), "");
  }

  LiveFeed<T> nothingNew() {
    return new LiveFeed<>(resumeAfter, sent, List.of(), continueAfter, position, perPoll);
  }

  LiveFeed<T> next(List<T> found, long lookbackMs) {
    Map<String, Long> stillRecent = new HashMap<>(sent);
    List<T> fresh = new ArrayList<>();
    for (T item : found) {
      AlertCursor at = position.apply(item);
      boolean resumedPast = at.compareTo(resumeAfter) <= 0;
      if (!resumedPast && stillRecent.putIfAbsent(at.alertId(), at.time()) == null) {
        fresh.add(item);
      }
    }
    long newest = stillRecent.values().stream().mapToLong(Long::longValue).max().orElse(Long.MIN_VALUE);
    stillRecent.values().removeIf(time -> time < newest - 2 * lookbackMs);
    AlertCursor more = found.size() < perPoll ? null : position.apply(found.get(found.size() - 1));
    return new LiveFeed<>(resumeAfter, stillRecent, fresh, more, position, perPoll);
  }
}
