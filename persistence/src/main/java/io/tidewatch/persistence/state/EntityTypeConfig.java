package io.tidewatch.persistence.state;

import com.typesafe.config.Config;
import io.tidewatch.persistence.window.Durations;
import io.tidewatch.persistence.window.WindowSpec;
import java.util.List;

/**
 * How entities of one type keep their windows ({@code tidewatch.entity-types.<type>} in HOCON): the window specs,
 * the allowed lateness that holds the watermark back, and how many closed windows per spec the state keeps (the
 * journal keeps them all).
 */
public record EntityTypeConfig(
    String type, List<WindowSpec> windows, long allowedLatenessMs, int recentWindowsPerSpec) {

  public EntityTypeConfig {
    windows = List.copyOf(windows);
    if (windows.isEmpty()) {
      throw new IllegalArgumentException("entity type " + type + " needs at least one window");
    }
    if (allowedLatenessMs < 0 || recentWindowsPerSpec < 1) {
      throw new IllegalArgumentException("entity type " + type + ": bad allowed-lateness or recent-windows");
    }
  }

  /** Reads one {@code tidewatch.entity-types.<type>} block. */
  public static EntityTypeConfig fromConfig(String type, Config block) {
    List<WindowSpec> windows =
        block.getConfigList("windows").stream().map(w -> windowFrom(type, w)).toList();
    return new EntityTypeConfig(
        type,
        windows,
        block.getDuration("allowed-lateness").toMillis(),
        block.getInt("recent-windows-per-spec"));
  }

  private static WindowSpec windowFrom(String type, Config w) {
    String kind = w.getString("type");
    long size = w.getDuration("size").toMillis();
    String sizeText = Durations.spell(w.getString("size"), size);
    return switch (kind) {
      case "tumbling" -> WindowSpec.tumbling(sizeText, size);
      case "sliding" -> {
        long slide = w.getDuration("slide").toMillis();
        yield WindowSpec.sliding(sizeText, size, Durations.spell(w.getString("slide"), slide), slide);
      }
      default -> throw new IllegalArgumentException(
          "entity type " + type + ": unknown window type '" + kind + "' (tumbling or sliding)");
    };
  }
}
