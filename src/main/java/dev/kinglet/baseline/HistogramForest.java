package dev.kinglet.baseline;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/**
 * A random forest as scikit-learn's {@code RandomForestClassifier(n_estimators=trees)}: bootstrap
 * samples of the training set's size, Gini impurity, trees grown until their leaves are pure,
 * {@code max(1, floor(sqrt(d)))} of the {@code d} features tried at each split, drawn without
 * replacement until that many non-constant ones were found (as scikit-learn does), class
 * probabilities the mean of the trees' leaf frequencies.
 *
 * <p>Features are binned once, before any tree grows: a feature with at most {@value #MAX_BINS}
 * distinct training values (pixels always) gets one bin per value, so its splits are exactly
 * scikit-learn's (thresholds midway between neighbouring values); one with more gets
 * {@value #MAX_BINS} quantile bins, as histogram-based gradient boosting does. A split then scans
 * a histogram of the node's samples instead of sorting them, which is what makes 100 trees on 800
 * Fashion-MNIST images take a fraction of a second rather than Tribuo's 25 s (README, Benchmarks).
 * Trees are grown in groups of {@link Baselines#TREES_PER_TASK}, each tree with its own generator
 * split from the seed, so the forest does not depend on the number of threads.
 */
final class HistogramForest {
    static final int MAX_BINS = 256;

    private final float[][] thresholds;
    private final Tree[] trees;
    private final int classes;

    private HistogramForest(float[][] thresholds, Tree[] trees, int classes) {
        this.thresholds = thresholds;
        this.trees = trees;
        this.classes = classes;
    }

    static HistogramForest grow(float[][] x, int[] y, int classes, int trees, long seed) {
        int n = x.length, d = x[0].length;
        float[][] thresholds = new float[d][];
        byte[][] bins = new byte[d][n];
        float[] column = new float[n];
        for (int j = 0; j < d; j++) {
            for (int i = 0; i < n; i++) column[i] = x[i][j];
            thresholds[j] = thresholds(column);
            for (int i = 0; i < n; i++) bins[j][i] = (byte) bin(thresholds[j], x[i][j]);
        }
        int maxFeatures = Math.max(1, (int) Math.sqrt(d));
        SplittableRandom seeds = new SplittableRandom(seed);
        List<Callable<Tree[]>> tasks = new ArrayList<>();
        for (int first = 0; first < trees; first += Baselines.TREES_PER_TASK) {
            int count = Math.min(Baselines.TREES_PER_TASK, trees - first);
            SplittableRandom[] rngs = new SplittableRandom[count];
            for (int t = 0; t < count; t++) rngs[t] = seeds.split();
            tasks.add(() -> {
                Grower g = new Grower(bins, y, classes, maxFeatures);
                Tree[] part = new Tree[count];
                for (int t = 0; t < count; t++) part[t] = g.grow(rngs[t]);
                return part;
            });
        }
        Tree[] all = Baselines.inParallel(tasks).stream().flatMap(Arrays::stream).toArray(Tree[]::new);
        return new HistogramForest(thresholds, all, classes);
    }

    /** Class probabilities of {@code x[from..to)}: the mean of the trees' leaf frequencies. */
    float[][] probabilities(float[][] x, int from, int to) {
        int d = thresholds.length;
        float[][] out = new float[to - from][classes];
        int[] b = new int[d];
        double[] sum = new double[classes];
        for (int i = from; i < to; i++) {
            if (x[i].length != d) throw new IllegalArgumentException("example " + i + " has " + x[i].length + " features, the forest " + d);
            for (int j = 0; j < d; j++) b[j] = bin(thresholds[j], x[i][j]);
            Arrays.fill(sum, 0);
            for (Tree t : trees) t.addLeaf(b, sum);
            for (int c = 0; c < classes; c++) out[i - from][c] = (float) (sum[c] / trees.length);
        }
        return out;
    }

    /** Upper edges of a feature's bins: midway between neighbouring distinct values, at most {@value #MAX_BINS} - 1 of them. */
    static float[] thresholds(float[] values) {
        float[] sorted = values.clone();
        Arrays.sort(sorted);
        int m = 0;
        for (int i = 0; i < sorted.length; i++) if (i == 0 || sorted[i] != sorted[m - 1]) sorted[m++] = sorted[i];
        int edges = Math.min(m, MAX_BINS) - 1;
        float[] t = new float[Math.max(0, edges)];
        for (int k = 0; k < edges; k++) {
            // with m <= MAX_BINS every gap between distinct values; else the gaps at the quantiles
            int at = m <= MAX_BINS ? k : (int) ((long) (k + 1) * m / MAX_BINS) - 1;
            t[k] = sorted[at] + (sorted[at + 1] - sorted[at]) / 2;
        }
        return t;
    }

    /** The bin of {@code v}: how many edges lie below it (a value on an edge goes left, as scikit-learn's {@code x <= threshold}). */
    static int bin(float[] thresholds, float v) {
        int at = Arrays.binarySearch(thresholds, v);
        return at >= 0 ? at : -at - 1;
    }

    /** One tree as arrays: an inner node splits on {@code feature} at {@code split} (bins up to it go left); a leaf has feature -1. */
    record Tree(int[] feature, int[] split, int[] left, int[] right, float[] leaves, int classes) {
        void addLeaf(int[] bins, double[] sum) {
            int node = 0;
            while (feature[node] >= 0) node = bins[feature[node]] <= split[node] ? left[node] : right[node];
            int at = left[node];
            for (int c = 0; c < classes; c++) sum[c] += leaves[at + c];
        }
    }

    /** Grows trees on the binned training set; one per thread, its buffers reused tree after tree. */
    private static final class Grower {
        private final byte[][] bins;
        private final int[] y;
        private final int classes, maxFeatures, n;
        private final int[] idx, perm, hist, counts;
        private final long[] leftCounts;

        Grower(byte[][] bins, int[] y, int classes, int maxFeatures) {
            this.bins = bins;
            this.y = y;
            this.classes = classes;
            this.maxFeatures = maxFeatures;
            this.n = y.length;
            this.idx = new int[n];
            this.perm = new int[bins.length];
            for (int j = 0; j < perm.length; j++) perm[j] = j;
            this.hist = new int[MAX_BINS * classes];
            this.counts = new int[classes];
            this.leftCounts = new long[classes];
        }

        Tree grow(SplittableRandom rng) {
            for (int i = 0; i < n; i++) idx[i] = rng.nextInt(n); // the bootstrap sample, duplicates kept
            IntList feature = new IntList(), split = new IntList(), left = new IntList(), right = new IntList();
            FloatList leaves = new FloatList();
            // a stack of (node, start, end); node ids are assigned when a node is pushed
            IntList stack = new IntList();
            feature.add(-1); split.add(0); left.add(0); right.add(0);
            stack.add(0); stack.add(0); stack.add(n);
            while (stack.size() > 0) {
                int end = stack.pop(), start = stack.pop(), node = stack.pop();
                Arrays.fill(counts, 0);
                for (int i = start; i < end; i++) counts[y[idx[i]]]++;
                int best = end - start >= 2 && !pure(counts) ? bestSplit(start, end, rng) : -1;
                if (best < 0) {
                    left.set(node, leaves.size());
                    for (int c = 0; c < classes; c++) leaves.add((float) counts[c] / (end - start));
                    continue;
                }
                int f = best >>> 8, b = best & 0xff;
                byte[] col = bins[f];
                int lo = start, hi = end - 1;
                while (lo <= hi) {
                    if ((col[idx[lo]] & 0xff) <= b) lo++;
                    else { int t = idx[lo]; idx[lo] = idx[hi]; idx[hi] = t; hi--; }
                }
                int l = feature.size(), r = l + 1;
                for (int k = 0; k < 2; k++) { feature.add(-1); split.add(0); left.add(0); right.add(0); }
                feature.set(node, f);
                split.set(node, b);
                left.set(node, l);
                right.set(node, r);
                stack.add(r); stack.add(lo); stack.add(end);
                stack.add(l); stack.add(start); stack.add(lo);
            }
            return new Tree(feature.toArray(), split.toArray(), left.toArray(), right.toArray(), leaves.toArray(), classes);
        }

        private static boolean pure(int[] counts) {
            int nonzero = 0;
            for (int c : counts) if (c > 0) nonzero++;
            return nonzero <= 1;
        }

        /**
         * The split of highest Gini gain over up to {@code maxFeatures} non-constant features,
         * drawn without replacement, as {@code feature << 8 | bin}; -1 if every feature is
         * constant in the node. Maximising {@code sum(l_c^2)/n_l + sum(r_c^2)/n_r} is minimising
         * the children's weighted Gini impurity.
         */
        private int bestSplit(int start, int end, SplittableRandom rng) {
            // perm stays a permutation from node to node, and a partial Fisher-Yates shuffle draws
            // uniformly without replacement from any order: no reset needed
            int d = perm.length, size = end - start;
            long total2 = 0;
            for (int c : counts) total2 += (long) c * c;
            double bestScore = -1;
            int best = -1, tried = 0;
            for (int p = 0; p < d && tried < maxFeatures; p++) {
                int q = p + rng.nextInt(d - p);
                int f = perm[q];
                perm[q] = perm[p];
                perm[p] = f;
                byte[] col = bins[f];
                int min = MAX_BINS, max = -1;
                for (int i = start; i < end; i++) {
                    int s = idx[i], b = col[s] & 0xff;
                    hist[b * classes + y[s]]++;
                    if (b < min) min = b;
                    if (b > max) max = b;
                }
                if (min == max) {
                    Arrays.fill(hist, min * classes, (min + 1) * classes, 0);
                    continue;
                }
                tried++;
                Arrays.fill(leftCounts, 0);
                long left2 = 0, right2 = total2;
                int nLeft = 0;
                for (int b = min; b < max; b++) {
                    int base = b * classes, inBin = 0;
                    for (int c = 0; c < classes; c++) {
                        int k = hist[base + c];
                        if (k == 0) continue;
                        long l = leftCounts[c], r = counts[c] - l;
                        left2 += 2 * l * k + (long) k * k;
                        right2 += -2 * r * k + (long) k * k;
                        leftCounts[c] = l + k;
                        inBin += k;
                    }
                    if (inBin == 0) continue;
                    nLeft += inBin;
                    double score = (double) left2 / nLeft + (double) right2 / (size - nLeft);
                    if (score > bestScore) {
                        bestScore = score;
                        best = f << 8 | b;
                    }
                }
                Arrays.fill(hist, min * classes, (max + 1) * classes, 0);
            }
            return best;
        }
    }

    /** A growable int array. */
    private static final class IntList {
        private int[] a = new int[64];
        private int size;

        void add(int v) {
            if (size == a.length) a = Arrays.copyOf(a, size * 2);
            a[size++] = v;
        }

        void set(int i, int v) { a[i] = v; }

        int pop() { return a[--size]; }

        int size() { return size; }

        int[] toArray() { return Arrays.copyOf(a, size); }
    }

    /** A growable float array. */
    private static final class FloatList {
        private float[] a = new float[64];
        private int size;

        void add(float v) {
            if (size == a.length) a = Arrays.copyOf(a, size * 2);
            a[size++] = v;
        }

        int size() { return size; }

        float[] toArray() { return Arrays.copyOf(a, size); }
    }
}
