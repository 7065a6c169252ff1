package io.glambdar.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** Rows under headers, each column as wide as its widest cell, two spaces apart. */
final class Table {

    private final List<String[]> rows = new ArrayList<>();
    private final int columns;

    Table(String... headers) {
        columns = headers.length;
        rows.add(headers);
    }

    private Table(int columns) {
        this.columns = columns;
    }

    /** A table without a header row: a record's {@code field  value} lines. */
    static Table withoutHeaders(int columns) {
        return new Table(columns);
    }

    /** Cells as {@link Text#cell} shows them. */
    Table row(Object... cells) {
        if (cells.length != columns) {
            throw new IllegalArgumentException(cells.length + " cells for " + columns + " columns");
        }
        String[] row = new String[columns];
        for (int i = 0; i < columns; i++) {
            row[i] = Text.cell(cells[i]);
        }
        rows.add(row);
        return this;
    }

    void print(PrintStream out) {
        int[] widths = new int[columns];
        for (String[] row : rows) {
            for (int i = 0; i < columns; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder text = new StringBuilder();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < columns; i++) {
                line.append(row[i]);
                if (i < columns - 1) {
                    line.append(" ".repeat(widths[i] - row[i].length() + 2));
                }
            }
            text.append(line.toString().stripTrailing()).append('\n');
        }
        out.print(text);
        out.flush();
    }
}
