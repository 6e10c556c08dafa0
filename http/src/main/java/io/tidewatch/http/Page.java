package io.tidewatch.http;

import java.util.List;

/** A page of a list (DESIGN §4): {@code next} is the cursor of the following page, or null on the last one. */
public record Page<T>(List<T> items, String next) {

  public Page {
    items = List.copyOf(items);
  }

  /** The page at {@code offset} of {@code all}, which holds at least one item more than the page if there is more. */
  public static <T> Page<T> of(List<T> all, int offset, int limit) {
    if (offset >= all.size()) {
      return new Page<>(List.of(), null);
    }
    int end = Math.min(all.size(), offset + limit);
    return new Page<>(all.subList(offset, end), end < all.size() ? String.valueOf(end) : null);
  }
}
