package dev.kinglet.data;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import dev.kinglet.dsl.CrossEntropy;
import dev.kinglet.dsl.CsvManifest.Task;
import dev.kinglet.dsl.Recipe;
import dev.kinglet.dsl.RegressionLoss;
import dev.kinglet.dsl.Data;
import dev.kinglet.dsl.RecipeException;
import dev.kinglet.dsl.TableSource;
import dev.kinglet.dsl.TableSource.ColumnType;

/**
 * Reads a {@link TableSource}: a UTF-8 CSV (RFC 4180 quoting: a quoted cell may hold the
 * separator, a line break or a doubled quote) or TSV file with a header row. Rules, each
 * tested: a leading byte-order mark is dropped; an empty cell, {@code NA}, {@code NaN} or
 * {@code ?} (UCI's mark) is a missing value; blank lines are skipped; a header that is one cell
 * holding {@code ;} or a tab asks for {@code data.source.separator}. Refused, naming the file,
 * the line and the column: an empty file, a duplicated or empty header name, a row with more or
 * fewer cells than the header, a non-number in a column declared numeric, a missing target, a
 * classification target with one class, a column named in {@code columns} that the header lacks.
 */
public final class TableReader {
    private static final Set<String> MISSING = Set.of("", "NA", "N/A", "NaN", "nan", "?");

    private TableReader() {}

    /** The rows of a table with their targets, the task chosen, and a line for the run's output saying what was read. */
    public record Loaded(Table table, int[] labels, List<String> classes, float[] targets, List<String> targetNames, Task task, String summary) {}

    /** The header and cells of a file, with the file line each row started on. */
    private record Cells(List<String> header, List<String[]> rows, List<Integer> lines) {}

    /** The task the recipe's table asks for: its own {@code task}, else the one its target column's values suggest. */
    public static Task task(TableSource source, Path base) throws IOException {
        if (source.task() != null) return source.task();
        Path file = resolve(source, base);
        Cells cells = cells(file, source.separatorChar());
        int t = targetColumn(cells, source, file);
        return inferTask(cells, t);
    }

    /**
     * {@code r} with its table's task written in: a recipe whose {@code data.source} is a table
     * without {@code task} gets the inferred one (and, for regression, the MSE loss in place of
     * the default cross-entropy), so recipe.json records what the run chose. Other recipes are
     * returned as they are. The choice is printed to {@code out}.
     */
    public static Recipe resolveTask(Recipe r, Path base, java.io.PrintStream out) throws IOException {
        if (!(r.data().source() instanceof TableSource t) || t.task() != null) return r;
        Task task = task(t, base);
        out.println("data.source.task: " + task.name().toLowerCase(Locale.ROOT) + ", inferred from the values of '" + t.target()
                + "' (recipe.json records it; set data.source.task to choose)");
        Recipe resolved = r.withData(r.data().withSource(t.withTask(task)));
        if (task == Task.REGRESSION && r.loss().equals(new CrossEntropy(null))) resolved = resolved.withLoss(new RegressionLoss.Mse());
        return resolved;
    }

    /** Reads the whole table: feature columns (typed and coded), labels or targets. */
    public static Loaded read(TableSource source, Path base) throws IOException {
        Path file = resolve(source, base);
        Cells cells = cells(file, source.separatorChar());
        int t = targetColumn(cells, source, file);
        for (String name : source.columns().keySet()) {
            if (!cells.header().contains(name)) {
                throw new RecipeException("data.source.columns." + name, "no column '" + name + "' in " + file + "; its columns: " + cells.header());
            }
        }
        Task task = source.task() != null ? source.task() : inferTask(cells, t);
        String targetName = cells.header().get(t);
        int n = cells.rows().size();
        // the target
        int[] labels = new int[n];
        float[] targets = new float[task == Task.REGRESSION ? n : 0];
        List<String> classes = new ArrayList<>();
        Map<String, Integer> classIndex = new HashMap<>();
        for (int i = 0; i < n; i++) {
            String v = cells.rows().get(i)[t].strip();
            if (MISSING.contains(v)) {
                throw new IOException(file + ":" + cells.lines().get(i) + ": the target '" + targetName + "' is missing; every row needs its target (drop the row, or fill it in)");
            }
            if (task == Task.REGRESSION) {
                targets[i] = number(v, file, cells.lines().get(i), targetName, "a regression target (data.source.task: regression) must be a number");
            } else {
                labels[i] = classIndex.computeIfAbsent(v, k -> {
                    classes.add(k);
                    return classes.size() - 1;
                });
            }
        }
        if (task == Task.CLASSIFICATION) {
            if (classes.size() < 2) {
                throw new IOException(file + ": the target '" + targetName + "' has one class (" + classes + ") in all " + n + " rows; classification needs at least two");
            }
            // classes in sorted order (numerically when they are numbers), so the labels do not depend on row order
            List<String> sorted = new ArrayList<>(classes);
            sorted.sort(TableReader::compareLevels);
            int[] remap = new int[classes.size()];
            for (int c = 0; c < classes.size(); c++) remap[c] = sorted.indexOf(classes.get(c));
            for (int i = 0; i < n; i++) labels[i] = remap[labels[i]];
            classes.clear();
            classes.addAll(sorted);
        }
        // the features
        List<Table.Column> columns = new ArrayList<>();
        List<Integer> at = new ArrayList<>();
        int numeric = 0, categorical = 0, ignored = 0;
        for (int c = 0; c < cells.header().size(); c++) {
            if (c == t) continue;
            String name = cells.header().get(c);
            ColumnType type = source.columns().get(name);
            if (type == null) type = inferColumn(cells, c);
            if (type == ColumnType.IGNORE) {
                ignored++;
                continue;
            }
            if (type == ColumnType.NUMERIC) numeric++;
            else categorical++;
            at.add(c);
            columns.add(new Table.Column(name, type, type == ColumnType.CATEGORICAL ? levels(cells, c) : List.of()));
        }
        if (columns.isEmpty()) throw new IOException(file + ": no feature columns besides the target '" + targetName + "' (every other column is ignored)");
        float[] values = new float[n * columns.size()];
        int missing = 0;
        for (int j = 0; j < columns.size(); j++) {
            Table.Column col = columns.get(j);
            int c = at.get(j);
            Map<String, Integer> index = new HashMap<>();
            for (int l = 0; l < col.levels().size(); l++) index.put(col.levels().get(l), l);
            for (int i = 0; i < n; i++) {
                String v = cells.rows().get(i)[c].strip();
                float x;
                if (MISSING.contains(v)) {
                    x = Float.NaN;
                    missing++;
                } else if (col.type() == ColumnType.NUMERIC) {
                    x = number(v, file, cells.lines().get(i), col.name(), "data.source.columns." + col.name() + " is numeric; make it categorical, or fix the cell");
                } else {
                    x = index.get(v);
                }
                values[i * columns.size() + j] = x;
            }
        }
        Table table = new Table(file.toString(), columns, values);
        String summary = String.format(Locale.ROOT, "table %s: %d rows, %d numeric and %d categorical feature columns%s, %d missing cells; target '%s': %s%s",
                file.getFileName(), n, numeric, categorical, ignored == 0 ? "" : " (" + ignored + " ignored)", missing, targetName,
                task == Task.REGRESSION ? "regression" : "classification of " + classes.size() + " classes",
                source.task() == null ? " (inferred from its values; set data.source.task to override)" : "");
        return new Loaded(table, labels, List.copyOf(classes), targets, task == Task.REGRESSION ? List.of(targetName) : List.of(), task, summary);
    }

    /**
     * New rows for a trained model: {@code file}'s cells of {@code columns} (found by header name,
     * in any order; other columns, the target among them, are left out), coded with the training
     * table's levels; a level it never had is coded -1, which the encoder maps to {@code (unseen)}.
     */
    public static Table rows(Path file, List<Table.Column> columns) throws IOException {
        Cells cells = cells(file, TableSource.separatorOf(file.getFileName().toString()));
        int n = cells.rows().size(), w = columns.size();
        float[] values = new float[n * w];
        for (int j = 0; j < w; j++) {
            Table.Column col = columns.get(j);
            int c = cells.header().indexOf(col.name());
            if (c < 0) throw new IOException(file + ": no column '" + col.name() + "', which the model was trained on; its columns: " + cells.header());
            for (int i = 0; i < n; i++) {
                String v = cells.rows().get(i)[c].strip();
                values[i * w + j] = MISSING.contains(v) ? Float.NaN
                        : col.type() == ColumnType.NUMERIC ? number(v, file, cells.lines().get(i), col.name(), "the model was trained on it as a numeric column")
                        : col.levels().indexOf(v);
            }
        }
        return new Table(file.toString(), columns, values);
    }

    /**
     * The train and test sets of a table source: {@code data.testFraction} of the rows held out,
     * per class for classification, drawn by {@code seed}.
     */
    static Datasets.Split split(TableSource source, Data data, Path base, long seed) throws IOException {
        Loaded t = read(source, base);
        byte[] content = Files.readAllBytes(resolve(source, base));
        String sha = Datasets.digest(content, (source.target() + "|" + source.columns() + "|" + t.task()).getBytes(StandardCharsets.UTF_8));
        boolean regression = t.task() == Task.REGRESSION;
        int[][] parts = holdOut(regression ? new int[t.table().rows()] : t.labels(), regression ? 1 : t.classes().size(), data.testFraction(), seed);
        ImageSet train = part(t, parts[0], Datasets.digest(sha.getBytes(StandardCharsets.UTF_8), "train".getBytes(StandardCharsets.UTF_8), ints(parts[0])));
        try {
            ImageSet test = part(t, parts[1], Datasets.digest(sha.getBytes(StandardCharsets.UTF_8), "test".getBytes(StandardCharsets.UTF_8), ints(parts[1])));
            return new Datasets.Split(train, test, List.of(), t.summary(), List.of(), Datasets.CacheUse.NONE);
        } catch (RuntimeException e) {
            train.close();
            throw e;
        }
    }

    private static byte[] ints(int[] v) {
        var buf = java.nio.ByteBuffer.allocate(v.length * 4);
        buf.asIntBuffer().put(v);
        return buf.array();
    }

    /** The rows {@code rows} of a loaded table as a set of their own. */
    private static ImageSet part(Loaded t, int[] rows, String sha) {
        Table all = t.table();
        int w = all.width();
        float[] values = new float[rows.length * w];
        int[] labels = new int[rows.length];
        boolean regression = t.task() == Task.REGRESSION;
        float[] targets = new float[regression ? rows.length : 0];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(all.row(rows[i]), 0, values, i * w, w);
            if (regression) targets[i] = t.targets()[rows[i]];
            else labels[i] = t.labels()[rows[i]];
        }
        return ImageSet.ofTable(new Table(all.source(), all.columns(), values), labels, t.classes(), targets, t.targetNames(), sha);
    }

    /** Stratified: {@code fraction} of each stratum (at least one where it has two or more rows) goes to the second part, as image sources do. */
    static int[][] holdOut(int[] labels, int strata, double fraction, long seed) {
        List<Integer> train = new ArrayList<>(), test = new ArrayList<>();
        for (int c = 0; c < strata; c++) {
            List<Integer> members = new ArrayList<>();
            for (int i = 0; i < labels.length; i++) if (labels[i] == c) members.add(i);
            SplittableRandom rng = new SplittableRandom(seed * 7 + c);
            for (int i = members.size() - 1; i > 0; i--) java.util.Collections.swap(members, i, rng.nextInt(i + 1));
            int k = members.size() < 2 ? 0 : Math.max(1, (int) Math.round(members.size() * fraction));
            test.addAll(members.subList(0, k));
            train.addAll(members.subList(k, members.size()));
        }
        return new int[][] {train.stream().mapToInt(Integer::intValue).sorted().toArray(), test.stream().mapToInt(Integer::intValue).sorted().toArray()};
    }

    private static Path resolve(TableSource source, Path base) {
        Path file = base.resolve(source.file());
        if (!Files.isRegularFile(file)) {
            throw new RecipeException("data.source.file", "file " + file.toAbsolutePath().normalize() + " not found (relative paths are resolved against "
                    + base.toAbsolutePath().normalize() + ")");
        }
        return file;
    }

    private static int targetColumn(Cells cells, TableSource source, Path file) {
        int t = cells.header().indexOf(source.target());
        if (t < 0) {
            throw new RecipeException("data.source.target", "no column '" + source.target() + "' in " + file + "; its columns: " + cells.header());
        }
        return t;
    }

    /** Classification for text or for integers with few distinct values; regression for other numbers. */
    private static Task inferTask(Cells cells, int t) {
        Set<String> distinct = new LinkedHashSet<>();
        boolean numbers = true, integers = true;
        for (String[] row : cells.rows()) {
            String v = row[t].strip();
            if (MISSING.contains(v)) continue;
            distinct.add(v);
            Double d = parse(v);
            if (d == null) numbers = false;
            else if (d != Math.rint(d)) integers = false;
        }
        if (!numbers) return Task.CLASSIFICATION;
        return integers && distinct.size() <= TableSource.MAX_CLASSES_INFERRED ? Task.CLASSIFICATION : Task.REGRESSION;
    }

    /** Numeric when every non-missing cell is a number (and there is one), else categorical. */
    private static ColumnType inferColumn(Cells cells, int c) {
        boolean any = false;
        for (String[] row : cells.rows()) {
            String v = row[c].strip();
            if (MISSING.contains(v)) continue;
            if (parse(v) == null) return ColumnType.CATEGORICAL;
            any = true;
        }
        return any ? ColumnType.NUMERIC : ColumnType.CATEGORICAL;
    }

    private static List<String> levels(Cells cells, int c) {
        Set<String> seen = new LinkedHashSet<>();
        for (String[] row : cells.rows()) {
            String v = row[c].strip();
            if (!MISSING.contains(v)) seen.add(v);
        }
        return List.copyOf(seen);
    }

    private static int compareLevels(String a, String b) {
        Double x = parse(a), y = parse(b);
        if (x != null && y != null) return Double.compare(x, y);
        return a.compareTo(b);
    }

    private static Double parse(String v) {
        if (v.isEmpty()) return null;
        char f = v.charAt(0);
        if (!(Character.isDigit(f) || f == '-' || f == '+' || f == '.')) return null; // not "Infinity", "NaN" or hex
        try {
            double d = Double.parseDouble(v);
            return Double.isFinite(d) ? d : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static float number(String v, Path file, int line, String column, String rule) throws IOException {
        Double d = parse(v);
        if (d == null) throw new IOException(file + ":" + line + ": column '" + column + "' holds '" + v + "', not a number; " + rule);
        return d.floatValue();
    }

    /** Splits the file into cells: header first; blank lines skipped; every row as wide as the header. */
    private static Cells cells(Path file, char sep) throws IOException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file))).toString();
        } catch (CharacterCodingException e) {
            throw new IOException(file + ": not UTF-8 text (save the table as UTF-8 CSV)");
        }
        if (text.startsWith("\uFEFF")) text = text.substring(1); // a byte-order mark, as Excel writes
        List<String[]> rows = new ArrayList<>();
        List<Integer> lines = new ArrayList<>();
        int line = 1, i = 0, len = text.length();
        while (i < len) {
            int start = line;
            List<String> row = new ArrayList<>();
            StringBuilder cell = new StringBuilder();
            boolean quoted = false, wasQuoted = false;
            for (; i < len; i++) {
                char ch = text.charAt(i);
                if (quoted) {
                    if (ch == '"') {
                        if (i + 1 < len && text.charAt(i + 1) == '"') {
                            cell.append('"');
                            i++;
                        } else {
                            quoted = false;
                        }
                    } else {
                        if (ch == '\n') line++;
                        cell.append(ch);
                    }
                } else if (ch == '"' && cell.toString().isBlank() && !wasQuoted) {
                    quoted = true;
                    wasQuoted = true;
                    cell.setLength(0);
                } else if (ch == sep) {
                    row.add(cell.toString());
                    cell.setLength(0);
                    wasQuoted = false;
                } else if (ch == '\n' || ch == '\r') {
                    if (ch == '\r' && i + 1 < len && text.charAt(i + 1) == '\n') i++;
                    i++;
                    line++;
                    break;
                } else {
                    cell.append(ch);
                }
            }
            if (quoted) throw new IOException(file + ":" + start + ": a quoted cell is not closed by the end of the file");
            row.add(cell.toString());
            if (row.size() == 1 && row.get(0).isBlank() && !wasQuoted) continue; // a blank line
            rows.add(row.toArray(String[]::new));
            lines.add(start);
        }
        if (rows.isEmpty()) throw new IOException(file + ": empty; a table needs a header row naming its columns, then one row per example");
        List<String> header = new ArrayList<>();
        for (String h : rows.get(0)) header.add(h.strip());
        if (header.size() == 1) {
            String h = header.get(0);
            String other = sep != ';' && h.contains(";") ? ";" : sep != '\t' && h.contains("\t") ? "\\t" : sep != ',' && h.contains(",") ? "," : null;
            if (other != null) {
                throw new RecipeException("data.source.separator", file + " has one column '" + h + "' when split at '" + printable(sep)
                        + "'; it looks '" + other + "'-separated: set data.source.separator: \"" + other + "\"");
            }
        }
        Map<String, Integer> seen = new LinkedHashMap<>();
        for (int c = 0; c < header.size(); c++) {
            String h = header.get(c);
            if (h.isEmpty()) throw new IOException(file + ":" + lines.get(0) + ": column " + (c + 1) + " of the header has no name; every column needs one");
            Integer before = seen.put(h, c);
            if (before != null) {
                throw new IOException(file + ":" + lines.get(0) + ": columns " + (before + 1) + " and " + (c + 1) + " are both named '" + h + "'; header names must be unique");
            }
        }
        List<String[]> body = rows.subList(1, rows.size());
        List<Integer> bodyLines = lines.subList(1, lines.size());
        for (int r = 0; r < body.size(); r++) {
            if (body.get(r).length != header.size()) {
                throw new IOException(file + ":" + bodyLines.get(r) + ": " + body.get(r).length + " cells, but the header has " + header.size()
                        + " columns (" + String.join(", ", header) + "); a cell holding '" + printable(sep) + "' must be quoted");
            }
        }
        if (body.isEmpty()) throw new IOException(file + ": a header but no rows; a table needs one row per example");
        return new Cells(List.copyOf(header), List.copyOf(body), List.copyOf(bodyLines));
    }

    private static String printable(char sep) {
        return sep == '\t' ? "\\t" : String.valueOf(sep);
    }
}
