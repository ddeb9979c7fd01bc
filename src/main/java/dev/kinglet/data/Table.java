package dev.kinglet.data;

import java.util.List;

import dev.kinglet.dsl.TableSource.ColumnType;

/**
 * Rows of feature values, one float per row and column, row-major: a numeric column's value
 * ({@code NaN} where the cell was missing), or a categorical column's level as an index into
 * {@link Column#levels()} ({@code NaN} where missing). An encoded table ({@link TableEncoder})
 * has numeric columns only. Immutable; shared by every view of a set.
 */
public final class Table {
    /** A feature column: its header name, type and, if categorical, its levels in the order first seen in the file. */
    public record Column(String name, ColumnType type, List<String> levels) {
        public Column {
            levels = List.copyOf(levels);
        }
    }

    private final String source;
    private final List<Column> columns;
    private final float[] values;
    private final int rows;

    /** @param source what the rows came from (a file), named in messages */
    public Table(String source, List<Column> columns, float[] values) {
        this.source = source;
        this.columns = List.copyOf(columns);
        this.values = values;
        int w = Math.max(1, this.columns.size());
        if (values.length % w != 0 || (this.columns.isEmpty() && values.length != 0)) {
            throw new IllegalArgumentException(values.length + " values do not make rows of " + this.columns.size() + " columns");
        }
        this.rows = this.columns.isEmpty() ? 0 : values.length / w;
    }

    public String source() { return source; }
    public List<Column> columns() { return columns; }
    public int width() { return columns.size(); }
    public int rows() { return rows; }

    public float get(int row, int column) {
        return values[row * columns.size() + column];
    }

    /** A copy of row {@code row}. */
    public float[] row(int row) {
        int w = columns.size();
        return java.util.Arrays.copyOfRange(values, row * w, (row + 1) * w);
    }
}
