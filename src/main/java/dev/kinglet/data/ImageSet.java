package dev.kinglet.data;

import java.util.List;

import dev.kinglet.natives.Normalization;
import dev.kinglet.natives.Pixels;

/**
 * Labelled 8-bit images of one size in native memory, with their class names and a content
 * digest (SHA-256 of pixels and labels) for provenance. {@link #select} makes views that share
 * the pixels of the set they come from; only the set that loaded the pixels frees them.
 * A regression set has float targets ({@code [size, targetNames.size()]}, row-major) instead of
 * classes: its classes are empty and every label is 0, so splits treat it as one stratum.
 * A table set ({@link #table()}) holds rows of a {@link Table} instead of images: its
 * {@link #pixels()} is an empty block of the rows' shape (1 x features, one channel), so shape
 * queries hold while reading a pixel fails; the loader copies its rows as they are.
 */
public final class ImageSet implements AutoCloseable {
    private final Pixels pixels;
    private final int[] rows, labels;
    private final List<String> classes;
    private final float[] targets;
    private final List<String> targetNames;
    private final String sha256;
    private final Table table;
    private boolean owner;

    public ImageSet(Pixels pixels, int[] labels, List<String> classes, String sha256) {
        this(pixels, identity(pixels.count()), labels.clone(), List.copyOf(classes), null, List.of(), sha256, true);
        if (labels.length != pixels.count()) {
            throw new IllegalArgumentException(pixels.count() + " images but " + labels.length + " labels");
        }
        for (int l : labels) {
            if (l < 0 || l >= classes.size()) throw new IllegalArgumentException("label " + l + " outside 0.." + (classes.size() - 1));
        }
    }

    /** Image {@code i} at row {@code rows[i]} of {@code pixels}, which this set owns. */
    ImageSet(Pixels pixels, int[] rows, int[] labels, List<String> classes, String sha256) {
        this(pixels, rows.clone(), labels.clone(), List.copyOf(classes), null, List.of(), sha256, true);
        if (labels.length != rows.length) throw new IllegalArgumentException(rows.length + " images but " + labels.length + " labels");
        for (int r : rows) {
            if (r < 0 || r >= pixels.count()) throw new IllegalArgumentException("row " + r + " outside 0.." + (pixels.count() - 1));
        }
        for (int l : labels) {
            if (l < 0 || l >= classes.size()) throw new IllegalArgumentException("label " + l + " outside 0.." + (classes.size() - 1));
        }
    }

    /** A regression set: image {@code i} at row {@code rows[i]} of {@code pixels}, which this set owns, with targets {@code [i * names.size() ..]}. */
    ImageSet(Pixels pixels, int[] rows, float[] targets, List<String> targetNames, String sha256) {
        this(pixels, rows.clone(), new int[rows.length], List.of(), targets.clone(), List.copyOf(targetNames), sha256, true);
        if (targetNames.isEmpty()) throw new IllegalArgumentException("a regression set needs at least one target");
        if (targets.length != rows.length * targetNames.size()) {
            throw new IllegalArgumentException(rows.length + " images of " + targetNames.size() + " targets but " + targets.length + " values");
        }
        for (int r : rows) {
            if (r < 0 || r >= pixels.count()) throw new IllegalArgumentException("row " + r + " outside 0.." + (pixels.count() - 1));
        }
    }

    private ImageSet(Pixels pixels, int[] rows, int[] labels, List<String> classes, float[] targets, List<String> targetNames, String sha256, boolean owner) {
        this(pixels, rows, labels, classes, targets, targetNames, sha256, owner, null);
    }

    private ImageSet(Pixels pixels, int[] rows, int[] labels, List<String> classes, float[] targets, List<String> targetNames, String sha256, boolean owner,
                     Table table) {
        this.table = table;
        this.pixels = pixels;
        this.rows = rows;
        this.labels = labels;
        this.classes = classes;
        this.targets = targets;
        this.targetNames = targetNames;
        this.sha256 = sha256;
        this.owner = owner;
    }

    /**
     * The rows of {@code table} as a set: classes ({@code labels} index {@code classes}) when
     * {@code targetNames} is empty, else regression targets ({@code [rows, targetNames.size()]}).
     */
    public static ImageSet ofTable(Table table, int[] labels, List<String> classes, float[] targets, List<String> targetNames, String sha256) {
        int n = table.rows();
        boolean regression = !targetNames.isEmpty();
        if (regression ? targets.length != n * targetNames.size() : labels.length != n) {
            throw new IllegalArgumentException(n + " rows but " + (regression ? targets.length + " target values" : labels.length + " labels"));
        }
        if (!regression) {
            for (int l : labels) if (l < 0 || l >= classes.size()) throw new IllegalArgumentException("label " + l + " outside 0.." + (classes.size() - 1));
        }
        Pixels shape = Pixels.allocate(0, 1, Math.max(1, table.width()), 1);
        return new ImageSet(shape, identity(n), regression ? new int[n] : labels.clone(), regression ? List.of() : List.copyOf(classes),
                regression ? targets.clone() : null, List.copyOf(targetNames), sha256, true, table);
    }

    /** The table whose rows these are, or null for images. */
    public Table table() { return table; }
    /** True for rows of a table rather than images. */
    public boolean isTable() { return table != null; }

    /** Row {@code i} of this set's table: its values, one per column. */
    public float[] tableRow(int i) {
        return table.row(rows[i]);
    }

    /** A view of all of this set, sharing its pixels and digest (closing it frees nothing). */
    public ImageSet view() {
        return new ImageSet(pixels, rows, labels, classes, targets, targetNames, sha256, false, table);
    }

    private static int[] identity(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = i;
        return a;
    }

    /** A view of the images at {@code positions} (positions in this set), sharing its pixels. */
    public ImageSet select(int[] positions) {
        int[] r = new int[positions.length], l = new int[positions.length];
        int t = targetNames.size();
        float[] y = targets == null ? null : new float[positions.length * t];
        for (int i = 0; i < positions.length; i++) {
            r[i] = rows[positions[i]];
            l[i] = labels[positions[i]];
            if (y != null) System.arraycopy(targets, positions[i] * t, y, i * t, t);
        }
        return new ImageSet(pixels, r, l, classes, y, targetNames, Datasets.digest(sha256.getBytes(), intsToBytes(r)), false, table);
    }

    /**
     * A view of the images at {@code positions} (positions in this set) with {@code labels} in place
     * of theirs, sharing its pixels: a training set of labelled and pseudo-labelled images.
     */
    public ImageSet relabelled(int[] positions, int[] labels) {
        if (isRegression()) throw new IllegalStateException("a regression set has targets, not labels to replace");
        if (labels.length != positions.length) throw new IllegalArgumentException(positions.length + " images but " + labels.length + " labels");
        int[] r = new int[positions.length];
        for (int i = 0; i < positions.length; i++) {
            r[i] = rows[positions[i]];
            if (labels[i] < 0 || labels[i] >= classes.size()) throw new IllegalArgumentException("label " + labels[i] + " outside 0.." + (classes.size() - 1));
        }
        byte[] l = intsToBytes(labels), rb = intsToBytes(r);
        return new ImageSet(pixels, r, labels.clone(), classes, null, List.of(), Datasets.digest(sha256.getBytes(), rb, l), false, table);
    }

    /**
     * A view of these images under {@code classes}, every label 0: for predicting images whose
     * labels are unknown (an unlabelled folder) or another source's classes.
     */
    public ImageSet unlabelledAs(List<String> classes) {
        if (classes.isEmpty()) throw new IllegalArgumentException("no classes");
        return new ImageSet(pixels, rows.clone(), new int[rows.length], List.copyOf(classes), null, List.of(), sha256, false, table);
    }

    /**
     * A new set that owns a copy of the pixels of {@code a}'s images (with their labels) followed
     * by {@code b}'s images at {@code positions} with {@code labels}: labelled images and
     * pseudo-labelled ones from another source. Both must have one image size; {@code a}'s classes.
     */
    public static ImageSet concat(ImageSet a, ImageSet b, int[] positions, int[] labels) {
        if (labels.length != positions.length) throw new IllegalArgumentException(positions.length + " images but " + labels.length + " labels");
        if (a.isTable() || b.isTable()) throw new IllegalArgumentException("concat joins images; tables are not pseudo-labelled");
        var pa = a.pixels;
        var pb = b.pixels;
        if (pa.channels() != pb.channels() || pa.height() != pb.height() || pa.width() != pb.width()) {
            throw new IllegalArgumentException("images of " + pa.channels() + "x" + pa.height() + "x" + pa.width() + " and " + pb.channels() + "x" + pb.height() + "x" + pb.width());
        }
        int n = a.size() + positions.length;
        int[] l = new int[n];
        Pixels px = Pixels.allocate(n, pa.height(), pa.width(), pa.channels());
        try {
            for (int i = 0; i < a.size(); i++) {
                px.set(i, pa.get(a.rows[i]));
                l[i] = a.labels[i];
            }
            for (int i = 0; i < positions.length; i++) {
                px.set(a.size() + i, pb.get(b.rows[positions[i]]));
                l[a.size() + i] = labels[i];
            }
            return new ImageSet(px, l, a.classes, Datasets.digest(a.sha256.getBytes(), b.sha256.getBytes(), intsToBytes(positions), intsToBytes(labels)));
        } catch (RuntimeException e) {
            px.close();
            throw e;
        }
    }

    /**
     * The images of the named classes only, relabelled in the order given; ownership of the
     * pixels moves to the result (this set becomes a view). Unknown names fail with the known ones.
     */
    public ImageSet onlyClasses(List<String> keep, String path) {
        if (isRegression()) throw new dev.kinglet.dsl.RecipeException(path, "a regression set has targets, not classes: leave " + path + " out");
        int[] newLabel = new int[classes.size()];
        java.util.Arrays.fill(newLabel, -1);
        for (int i = 0; i < keep.size(); i++) {
            int at = classes.indexOf(keep.get(i));
            if (at < 0) throw new dev.kinglet.dsl.RecipeException(path + "[" + i + "]", "'" + keep.get(i) + "' is not a class of the data; its classes: " + classes);
            newLabel[at] = i;
        }
        int n = 0;
        for (int l : labels) if (newLabel[l] >= 0) n++;
        int[] r = new int[n], l = new int[n];
        for (int i = 0, j = 0; i < labels.length; i++) {
            if (newLabel[labels[i]] < 0) continue;
            r[j] = rows[i];
            l[j++] = newLabel[labels[i]];
        }
        ImageSet out = new ImageSet(pixels, r, l, List.copyOf(keep), null, List.of(), Datasets.digest(sha256.getBytes(), intsToBytes(r)), owner, table);
        owner = false;
        return out;
    }

    private static byte[] intsToBytes(int[] v) {
        var buf = java.nio.ByteBuffer.allocate(v.length * 4);
        buf.asIntBuffer().put(v);
        return buf.array();
    }

    public Pixels pixels() { return pixels; }
    /** The row of image {@code i} of this set in {@link #pixels()}. */
    public int row(int i) { return rows[i]; }
    public int label(int i) { return labels[i]; }
    public int[] labels() { return labels.clone(); }
    public List<String> classes() { return classes; }
    public String sha256() { return sha256; }
    public int size() { return labels.length; }
    public int numClasses() { return classes.size(); }
    /** True for a set with float targets instead of classes. */
    public boolean isRegression() { return targets != null; }
    /** The names of the regression targets (empty for classification). */
    public List<String> targetNames() { return targetNames; }
    /** Regression targets of image {@code i}. */
    public float[] targets(int i) {
        int t = targetNames.size();
        return java.util.Arrays.copyOfRange(targets, i * t, (i + 1) * t);
    }
    /** All regression targets, row-major {@code [size, targetNames.size()]}. */
    public float[] targets() { return targets.clone(); }
    /** Outputs a network for this set needs: one per target, else one per class. */
    public int outputs() { return isRegression() ? targetNames.size() : classes.size(); }
    /**
     * The groups splits and subsets are stratified over: the classes, or one for regression,
     * where stratification by class does not apply and splits are plain random ones.
     */
    public int strata() { return isRegression() ? 1 : classes.size(); }

    /** Per-channel mean and standard deviation of the pixels scaled to [0, 1]; {@link Normalization#UNIT} for a table, whose rows are encoded already. */
    public Normalization statistics() {
        if (isTable()) return Normalization.UNIT;
        int c = pixels.channels();
        double[] sum = new double[c], sq = new double[c];
        long n = (long) size() * pixels.height() * pixels.width();
        for (int i = 0; i < size(); i++) {
            byte[] img = pixels.get(rows[i]);
            for (int j = 0; j < img.length; j++) {
                double v = (img[j] & 0xFF) / 255.0;
                sum[j % c] += v;
                sq[j % c] += v * v;
            }
        }
        float[] mean = new float[c], std = new float[c];
        for (int k = 0; k < c; k++) {
            double m = sum[k] / n;
            mean[k] = (float) m;
            std[k] = (float) Math.max(1e-3, Math.sqrt(Math.max(0, sq[k] / n - m * m)));
        }
        return new Normalization(mean, std);
    }

    @Override
    public void close() {
        if (owner) pixels.close();
    }
}
