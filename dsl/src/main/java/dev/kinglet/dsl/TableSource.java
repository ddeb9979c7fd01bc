package dev.kinglet.dsl;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A table of rows, one example per row: a CSV file ({@code ,}), or TSV ({@code .tsv} or
 * {@code .tab}: tab), with a header row naming the columns; {@code separator} overrides the
 * separator ({@code ";"} for the European CSV, {@code "\t"}). {@code target} names the column
 * to predict. Every other column is a feature whose type is inferred (numeric when every
 * non-empty cell is a number, else categorical) unless {@code columns} says so:
 * {@code {age: numeric, school: categorical, id: ignore}}. An empty cell (or {@code NA}) is a
 * missing value. {@code task} is inferred when left out: a text target, or an integer one with
 * at most {@value #MAX_CLASSES_INFERRED} distinct values, is classification; any other numeric
 * target is regression. Paths are resolved against the working directory.
 */
public record TableSource(String file, String target, Map<String, ColumnType> columns, CsvManifest.Task task, String separator)
        implements DataSource {
    /** Integer targets with at most this many distinct values are classes when {@code task} is left out. */
    public static final int MAX_CLASSES_INFERRED = 20;

    /** How a column enters the model. */
    public enum ColumnType {
        /** Imputed by the training rows' mean (with a missing-indicator), standardised by their mean and deviation. */
        @com.fasterxml.jackson.annotation.JsonProperty("numeric") NUMERIC,
        /** One-hot over the training rows' levels, plus one for a level the training rows never had. */
        @com.fasterxml.jackson.annotation.JsonProperty("categorical") CATEGORICAL,
        /** Not a feature (an id, a free-text note). */
        @com.fasterxml.jackson.annotation.JsonProperty("ignore") IGNORE
    }

    public TableSource {
        RecipeException.require(file != null && !file.isBlank(), "data.source.file", "missing: the table, e.g. data/patients.csv");
        RecipeException.require(target != null && !target.isBlank(), "data.source.target", "missing: the column to predict, e.g. outcome");
        columns = columns == null ? new LinkedHashMap<>() : new LinkedHashMap<>(columns);
        RecipeException.require(!columns.containsValue(null), "data.source.columns", "every column needs a type: numeric, categorical or ignore");
        RecipeException.require(!columns.containsKey(target), "data.source.columns." + target, "is the target: its type follows from data.source.task; leave it out of columns");
        RecipeException.require(separator == null || separator.length() == 1, "data.source.separator",
                "must be one character, e.g. \",\", \";\" or \"\\t\", or left out to follow the file's extension");
        RecipeException.require(separator == null || (separator.charAt(0) != '"' && separator.charAt(0) != '\n' && separator.charAt(0) != '\r'),
                "data.source.separator", "cannot be a quote or a line break");
    }

    public TableSource(String file, String target) {
        this(file, target, null, null, null);
    }

    /** The separator: the recipe's, else tab for {@code .tsv} and {@code .tab} files, else comma. */
    public char separatorChar() {
        return separator != null ? separator.charAt(0) : separatorOf(file);
    }

    /** The separator a file's name implies: a tab for {@code .tsv} and {@code .tab}, else a comma. */
    public static char separatorOf(String file) {
        String f = file.toLowerCase(java.util.Locale.ROOT);
        return f.endsWith(".tsv") || f.endsWith(".tab") ? '\t' : ',';
    }

    public TableSource withTask(CsvManifest.Task t) { return new TableSource(file, target, columns, t, separator); }
    public TableSource withColumns(Map<String, ColumnType> c) { return new TableSource(file, target, c, task, separator); }
}
