package dev.kinglet.train;

import java.util.Arrays;
import java.util.Iterator;
import java.util.SplittableRandom;

import dev.kinglet.augment.Augmenter;
import dev.kinglet.data.ImageSet;
import dev.kinglet.data.Loader;
import dev.kinglet.natives.BatchBuffer;
import dev.kinglet.natives.Normalization;

/**
 * FixMatch's unlabelled batches: an endless stream over {@code pool}, one batch per optimiser
 * step, each image in a weak and a strong view (two loaders on their own threads, the same
 * images in the same order). Batch g of the stream is batch {@code g mod M} of pool epoch
 * {@code g / M} (M whole batches per pool epoch, the rest of the pool left out of that epoch), and
 * each pool epoch has its own order and augmentation seed: the batches of a step depend on its
 * step count alone, so a fit resumed from a checkpoint draws exactly the unlabelled images an
 * uninterrupted one does. Also counts the pseudo-labels: how many images passed the threshold
 * and, when the pool's true labels are known, how many of those were right. With FlexMatch's
 * thresholds ({@link dev.kinglet.dsl.FixMatch.Thresholds#FLEX_MATCH}) it remembers per pool image
 * the class last predicted with the full threshold, and derives the classes' thresholds from those
 * counts; that memory is checkpointed, so a resumed fit takes the same pseudo-labels.
 */
public final class UnlabelledStream implements Callback, Checkpointed, AutoCloseable {
    private final ImageSet pool;
    private final Loader weak, strong;
    private final int batch, perEpoch, copies;
    private final long seed;
    private final boolean truthKnown;
    final double threshold, weight;
    long images, above, right, imagesInEpoch, aboveInEpoch, rightInEpoch;
    /** FlexMatch only (else null): per pool image the class last predicted at {@link #threshold}, or -1; images remembered per class; images not yet remembered. */
    private final long[] learned;
    private final long[] learnedPerClass;
    private long unlearned;
    private final org.bytedeco.pytorch.Tensor savedLearned;

    /** The two views of one unlabelled batch, and its images' indices in the pool. */
    record Views(BatchBuffer.Batch weak, BatchBuffer.Batch strong, int[] indices) {}

    /**
     * @param pool       the unlabelled images (their labels are used only to count right pseudo-labels, when {@code truthKnown})
     * @param batch      images per unlabelled batch (ratio times the labelled batch size)
     * @param weakAug    the weak view's pipeline (the recipe's training one)
     * @param strongAug  the strong view's pipeline; it must end at the weak one's size
     */
    public UnlabelledStream(ImageSet pool, boolean truthKnown, int batch, Augmenter weakAug, Augmenter strongAug, Normalization norm,
                            int height, int width, double threshold, double weight, long seed) {
        this(pool, truthKnown, batch, weakAug, strongAug, norm, height, width, threshold, weight, seed, 0);
    }

    /**
     * @param flexClasses 0 for FixMatch's fixed threshold; the number of classes for FlexMatch's per-class thresholds
     */
    public UnlabelledStream(ImageSet pool, boolean truthKnown, int batch, Augmenter weakAug, Augmenter strongAug, Normalization norm,
                            int height, int width, double threshold, double weight, long seed, int flexClasses) {
        if (pool.size() == 0) throw new IllegalArgumentException("semiSupervised: no unlabelled images");
        if (flexClasses > 0) {
            learned = new long[pool.size()];
            Arrays.fill(learned, -1);
            learnedPerClass = new long[flexClasses];
            unlearned = pool.size();
            savedLearned = org.bytedeco.pytorch.global.torch.zeros(new long[] {pool.size()},
                    new org.bytedeco.pytorch.TensorOptions(org.bytedeco.pytorch.global.torch.ScalarType.Long)); // outside any step's scope
        } else {
            learned = learnedPerClass = null;
            savedLearned = null;
        }
        this.pool = pool;
        this.truthKnown = truthKnown;
        this.batch = batch;
        this.threshold = threshold;
        this.weight = weight;
        this.seed = seed;
        // a pool smaller than a batch is repeated within a pool epoch
        this.copies = (batch + pool.size() - 1) / pool.size();
        this.perEpoch = copies * pool.size() / batch;
        int channels = pool.pixels().channels(), workers = Loader.defaultWorkers();
        this.weak = new Loader(channels, 0, weakAug, norm, batch, height, width, workers, 2);
        this.strong = new Loader(channels, 0, strongAug, norm, batch, height, width, workers, 2);
    }

    public int size() {
        return pool.size();
    }

    private Iterator<BatchBuffer.Batch> w, s;
    private long next, segmentEnd, segmentStart;
    private int[] segment;
    private boolean closed;

    /**
     * The views of stream batch {@code g} (the step count before the step). Consecutive calls
     * continue one prefetching pass over a pool epoch; the first call may start anywhere (a
     * resumed fit), later ones must follow on.
     */
    Views batch(long g) {
        if (w == null || g == segmentEnd) {
            if (w != null && g != next) throw new IllegalStateException("unlabelled batch " + g + " asked for after batch " + (next - 1));
            openSegment(g);
        } else if (g != next) {
            throw new IllegalStateException("unlabelled batch " + g + " asked for after batch " + (next - 1));
        }
        int from = (int) (g - segmentStart) * batch;
        Views v = new Views(w.next(), s.next(), Arrays.copyOfRange(segment, from, from + batch));
        next = g + 1;
        return v;
    }

    /**
     * FlexMatch's thresholds now, per class: threshold * beta_c / (2 - beta_c) with beta_c =
     * sigma_c / max(max sigma, unlearned); null with FixMatch's one {@link #threshold}.
     */
    public double[] flexThresholds() {
        if (learned == null) return null;
        long most = unlearned;
        for (long c : learnedPerClass) most = Math.max(most, c);
        double[] t = new double[learnedPerClass.length];
        for (int c = 0; c < t.length; c++) {
            double beta = (double) learnedPerClass[c] / most;
            t[c] = threshold * beta / (2 - beta);
        }
        return t;
    }

    /** FlexMatch: pool image {@code index}'s weak view was predicted as {@code cls} with at least {@link #threshold}. */
    void learn(int index, int cls) {
        long before = learned[index];
        if (before == cls) return;
        if (before < 0) unlearned--;
        else learnedPerClass[(int) before]--;
        learned[index] = cls;
        learnedPerClass[cls]++;
    }

    /** A pass from batch {@code g} to the end of its pool epoch. */
    private void openSegment(long g) {
        long epoch = g / perEpoch;
        int first = (int) (g % perEpoch);
        segmentEnd = (epoch + 1) * perEpoch;
        int[] part = Arrays.copyOfRange(epochOrder(epoch), first * batch, perEpoch * batch);
        segment = part;
        segmentStart = g;
        long epochSeed = new SplittableRandom(seed + 0x9E3779B97F4A7C15L * (epoch + 1)).nextLong();
        w = weak.epoch(pool, part, epochSeed, false).iterator();
        s = strong.epoch(pool, part, epochSeed ^ 0x57_20_6e_67L, false).iterator();
        next = g;
    }

    /** Pool epoch {@code e}'s order: {@code copies} shuffles of the pool one after another. */
    private int[] epochOrder(long e) {
        SplittableRandom rng = new SplittableRandom(seed ^ (0x756e6c61L + 0x9E3779B97F4A7C15L * e));
        int n = pool.size();
        int[] order = new int[copies * n];
        for (int c = 0; c < copies; c++) System.arraycopy(Learner.shuffled(n, rng), 0, order, c * n, n);
        return order;
    }

    /** Counts one step's pseudo-labels: {@code kept} of {@code n} images passed, {@code correct} of those right. */
    void count(int n, long kept, long correct) {
        images += n;
        above += kept;
        imagesInEpoch += n;
        aboveInEpoch += kept;
        if (truthKnown) {
            right += correct;
            rightInEpoch += correct;
        }
    }

    @Override
    public void on(Event event, TrainState state) {
        if (event == Event.BEFORE_EPOCH) imagesInEpoch = aboveInEpoch = rightInEpoch = 0;
    }

    @Override
    public String checkpointName() {
        return "fixMatch";
    }

    @Override
    public java.util.Map<String, org.bytedeco.pytorch.Tensor> checkpointTensors() {
        if (learned == null) return java.util.Map.of();
        dev.kinglet.natives.TensorMemory.copyInto(learned, savedLearned);
        return java.util.Map.of("learned", savedLearned);
    }

    /** The counts so far: a resumed job's summary covers the whole fit. The batches themselves follow from the step count. */
    @Override
    public java.util.Map<String, Double> checkpointValues() {
        return java.util.Map.of("images", (double) images, "pseudoLabels", (double) above, "right", (double) right);
    }

    @Override
    public void restoreCheckpoint(java.util.Map<String, org.bytedeco.pytorch.Tensor> tensors, java.util.Map<String, Double> values) {
        images = values.get("images").longValue();
        above = values.get("pseudoLabels").longValue();
        right = values.get("right").longValue();
        if (learned != null) {
            var t = tensors.get("learned");
            if (t == null || t.numel() != learned.length) {
                throw new IllegalStateException("the checkpoint holds no FlexMatch state for " + learned.length + " unlabelled images: the recipe changed since; run it afresh");
            }
            long[] saved = dev.kinglet.natives.TensorMemory.toLongs(t);
            Arrays.fill(learnedPerClass, 0);
            unlearned = 0;
            for (int i = 0; i < saved.length; i++) {
                learned[i] = saved[i];
                if (saved[i] < 0) unlearned++;
                else learnedPerClass[(int) saved[i]]++;
            }
        }
    }

    boolean truthKnown() {
        return truthKnown;
    }

    /** What the stream did over a fit or an epoch. */
    public record Counts(long images, long pseudoLabels, Long right) {
        /** Share of the unlabelled images whose weak view passed the threshold. */
        public double rate() { return images == 0 ? 0 : (double) pseudoLabels / images; }
        /** Share of the pseudo-labels that were right, or null when the truth is unknown or none passed. */
        public Double accuracy() { return right == null || pseudoLabels == 0 ? null : (double) right / pseudoLabels; }
    }

    /** Since the learner was made (a resumed fit counts from its resumption). */
    public Counts total() {
        return new Counts(images, above, truthKnown ? right : null);
    }

    /** In the current or last epoch. */
    public Counts epoch() {
        return new Counts(imagesInEpoch, aboveInEpoch, truthKnown ? rightInEpoch : null);
    }

    /** Stops the loader threads (before the pool's images go); a second call does nothing. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        weak.close();
        strong.close();
        if (savedLearned != null) savedLearned.close();
    }
}
