package io.tidewatch.node.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Left-aligned text columns two spaces apart, as the operator commands print them. A missing (null) cell shows
 * as {@code -}; the last column is never padded, so lines carry no trailing blanks.
 */
public final class Table {

  private static final String GAP = "  ";

  private final int columns;
  private final List<String[]> rows = new ArrayList<>();

  public Table(String... headers) {
    if (headers.length == 0) {
      throw new IllegalArgumentException("a table needs at least one column");
    }
    this.columns = headers.length;
    rows.add(headers.clone());
  }

  public Table add(Object... cells) {
    if (cells.length != columns) {
      throw new IllegalArgumentException("a row of this table has " + columns + " cells, got " + cells.length);
    }
    rows.add(Arrays.stream(cells).map(Table::text).toArray(String[]::new));
    return this;
  }

  /** The header and every row, each column as wide as its widest cell; one line per row, each ending in a newline. */
  public String render() {
    int[] widths = new int[columns];
    for (String[] row : rows) {
      for (int i = 0; i < columns; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    StringBuilder out = new StringBuilder();
    for (String[] row : rows) {
      out.append(line(widths, (Object[]) row)).append('\n');
    }
    return out.toString();
  }

  /**
   * One row with fixed column widths, for rows printed as they arrive (a journal may not fit in memory, so its
   * rows cannot be measured first). A cell wider than its column pushes the rest right rather than being cut.
   */
  public static String line(int[] widths, Object... cells) {
    if (cells.length > widths.length + 1) {
      throw new IllegalArgumentException(cells.length + " cells need at least " + (cells.length - 1) + " widths");
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < cells.length; i++) {
      String cell = text(cells[i]);
      out.append(cell);
      if (i < cells.length - 1) {
        out.append(" ".repeat(Math.max(0, widths[i] - cell.length()))).append(GAP);
      }
    }
    return out.toString();
  }

  private static String text(Object cell) {
    return cell == null ? "-" : cell.toString();
  }
}
