package io.tidewatch.http;

import java.util.List;

/** A page of a list (DESIGN §4): {@code next} is the cursor of the following page, or null on the last one. */
public record Page<T>(List<T> items, String next) {

  public Page {
    items = List.copyOf(items);
  }
}
