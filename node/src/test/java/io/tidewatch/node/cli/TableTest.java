package io.tidewatch.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TableTest {

  @Test
  void padsEachColumnToItsWidestCellIncludingTheHeader() {
    String rendered = new Table("ADDRESS", "STATUS").add("pekko://a@h:1", "Up").add("b", "WeaklyUp").render();

    assertEquals(
        """
        ADDRESS        STATUS
        pekko://a@h:1  Up
        b              WeaklyUp
        """,
        rendered);
  }

  @Test
  void leavesNoTrailingBlanksAfterTheLastColumn() {
    String rendered = new Table("NODE", "SHARDS").add("n1", 12).add("a-much-longer-node", 3).render();

    for (String line : rendered.split("\n")) {
      assertFalse(line.endsWith(" "), "trailing blank in '" + line + "'");
    }
  }

  @Test
  void showsMissingCellsAsDash() {
    assertEquals("A  B\n1  -\n", new Table("A", "B").add(1, null).render());
  }

  @Test
  void rejectsARowWithTheWrongNumberOfCells() {
    Table table = new Table("A", "B");

    assertThrows(IllegalArgumentException.class, () -> table.add("only one"));
  }

  @Test
  void fixedWidthLinesLineUpAndLetLongCellsPushRightUncut() {
    int[] widths = {3, 4};

    assertEquals("1    ab    x", Table.line(widths, 1, "ab", "x"));
    assertEquals("12345  abcdef  x", Table.line(widths, 12345, "abcdef", "x"));
  }
}
