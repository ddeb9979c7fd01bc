package dev.kinglet.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.kinglet.dsl.TableSource.ColumnType;
import dev.kinglet.util.AtomicFiles;
import dev.kinglet.util.Json;

/**
 * Turns a table's rows into the features a network or baseline sees, fitted on the training
 * rows of one job only (as scikit-learn's {@code ColumnTransformer} is fitted on a fold's
 * training part), so nothing of a validation or test row leaks into them:
 * <ul>
 * <li>a numeric column is standardised by the training rows' mean and standard deviation (1
 *     where they are constant); a missing value becomes that mean (0 after standardising), and
 *     when any training row misses the column a {@code <name>.missing} indicator (0/1) follows;</li>
 * <li>a categorical column becomes one 0/1 feature per level the training rows have, then
 *     {@code <name>=(unseen)} for a level they never had (seen only in validation or test rows:
 *     the documented rule, never an error), and {@code <name>=(missing)} when a training row misses it.</li>
 * </ul>
 */
public final class TableEncoder {
    private final List<Table.Column> raw;
    private final List<String> names = new ArrayList<>();
    // per raw column: numeric mean/std and indicator; categorical level -> slot (-1: unseen), unseen slot, missing slot
    private final double[] mean, std;
    private final boolean[] indicator;
    private final int[][] slot;
    private final int[] first, unseen, missingSlot;

    private TableEncoder(Table table, ImageSet train) {
        raw = table.columns();
        int w = raw.size();
        mean = new double[w];
        std = new double[w];
        indicator = new boolean[w];
        slot = new int[w][];
        first = new int[w];
        unseen = new int[w];
        missingSlot = new int[w];
        int n = train.size();
        for (int c = 0; c < w; c++) {
            Table.Column col = raw.get(c);
            first[c] = names.size();
            boolean anyMissing = false;
            if (col.type() == ColumnType.NUMERIC) {
                double sum = 0, sq = 0;
                int k = 0;
                for (int i = 0; i < n; i++) {
                    float v = table.get(train.row(i), c);
                    if (Float.isNaN(v)) {
                        anyMissing = true;
                        continue;
                    }
                    sum += v;
                    sq += (double) v * v;
                    k++;
                }
                mean[c] = k == 0 ? 0 : sum / k;
                double var = k == 0 ? 0 : Math.max(0, sq / k - mean[c] * mean[c]);
                std[c] = var > 1e-12 ? Math.sqrt(var) : 1;
                indicator[c] = anyMissing;
                names.add(col.name());
                if (anyMissing) names.add(col.name() + ".missing");
            } else if (col.type() == ColumnType.CATEGORICAL) {
                int[] s = new int[col.levels().size()];
                java.util.Arrays.fill(s, -1);
                boolean[] seen = new boolean[s.length];
                for (int i = 0; i < n; i++) {
                    float v = table.get(train.row(i), c);
                    if (Float.isNaN(v)) anyMissing = true;
                    else seen[(int) v] = true;
                }
                for (int l = 0; l < s.length; l++) {
                    if (!seen[l]) continue;
                    s[l] = names.size();
                    names.add(col.name() + "=" + col.levels().get(l));
                }
                slot[c] = s;
                unseen[c] = names.size();
                names.add(col.name() + "=(unseen)");
                missingSlot[c] = anyMissing ? names.size() : -1;
                if (anyMissing) names.add(col.name() + "=(missing)");
            } else {
                throw new IllegalArgumentException("column '" + col.name() + "' is " + col.type() + "; ignored columns are not read");
            }
        }
    }

    /** What {@link #save} writes: the raw columns (with their levels) and every fitted statistic. */
    private record Saved(List<Table.Column> columns, List<String> features, double[] mean, double[] std, boolean[] indicator, int[][] slot,
                         int[] first, int[] unseen, int[] missingSlot) {}

    private TableEncoder(Saved s) {
        raw = List.copyOf(s.columns());
        names.addAll(s.features());
        mean = s.mean();
        std = s.std();
        indicator = s.indicator();
        slot = s.slot();
        first = s.first();
        unseen = s.unseen();
        missingSlot = s.missingSlot();
    }

    /** Writes this encoder to {@code file} (JSON, whole or not at all), so new rows can be encoded as the job's were. */
    public void save(Path file) throws IOException {
        var s = new Saved(raw, names, mean, std, indicator, slot, first, unseen, missingSlot);
        AtomicFiles.writeString(file, Json.PRETTY.writeValueAsString(s));
    }

    /** An encoder {@link #save}d to {@code file}. */
    public static TableEncoder load(Path file) throws IOException {
        try {
            return new TableEncoder(Json.PRETTY.readValue(file.toFile(), Saved.class));
        } catch (RuntimeException e) {
            throw new IOException(file + ": not a table encoding Kinglet wrote (" + e.getMessage() + ")", e);
        }
    }

    /** The raw columns the encoder reads, in order, with their types and levels. */
    public List<Table.Column> columns() {
        return raw;
    }

    /** An encoder fitted on the rows of {@code train}, a table set. */
    public static TableEncoder fit(ImageSet train) {
        if (!train.isTable()) throw new IllegalArgumentException("a table encoder is fitted on table rows, not images");
        if (train.size() == 0) throw new IllegalArgumentException("no training rows to fit the table's encoding on");
        return new TableEncoder(train.table(), train);
    }

    /** The names of the encoded features, in order. */
    public List<String> featureNames() {
        return List.copyOf(names);
    }

    /** The encoded features of one raw row. */
    public float[] encode(float[] row) {
        float[] out = new float[names.size()];
        for (int c = 0; c < raw.size(); c++) {
            float v = row[c];
            int at = first[c];
            if (raw.get(c).type() == ColumnType.NUMERIC) {
                boolean missing = Float.isNaN(v);
                out[at] = missing ? 0f : (float) ((v - mean[c]) / std[c]);
                if (indicator[c]) out[at + 1] = missing ? 1f : 0f;
            } else if (Float.isNaN(v)) {
                out[missingSlot[c] >= 0 ? missingSlot[c] : unseen[c]] = 1f;
            } else {
                int code = (int) v, s = code >= 0 && code < slot[c].length ? slot[c][code] : -1; // -1: a level the table never had
                out[s >= 0 ? s : unseen[c]] = 1f;
            }
        }
        return out;
    }

    /** {@code set}'s rows encoded, as a set of its own (same labels or targets and order) that the caller closes. */
    public ImageSet encode(ImageSet set) {
        if (!set.isTable() || set.table().columns() != raw && !set.table().columns().equals(raw)) {
            throw new IllegalArgumentException("these rows are not of the table the encoder was fitted on");
        }
        int w = names.size();
        float[] values = new float[set.size() * w];
        for (int i = 0; i < set.size(); i++) System.arraycopy(encode(set.tableRow(i)), 0, values, i * w, w);
        List<Table.Column> cols = names.stream().map(n -> new Table.Column(n, ColumnType.NUMERIC, List.of())).toList();
        Table encoded = new Table(set.table().source(), cols, values);
        return set.isRegression()
                ? ImageSet.ofTable(encoded, new int[set.size()], List.of(), set.targets(), set.targetNames(), set.sha256())
                : ImageSet.ofTable(encoded, set.labels(), set.classes(), new float[0], List.of(), set.sha256());
    }
}
