package dev.kinglet.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.kinglet.augment.Augmenter;
import dev.kinglet.natives.BatchBuffer;
import dev.kinglet.natives.Image;
import dev.kinglet.natives.Normalization;
import dev.kinglet.natives.Scope;

/**
 * Fills batches of any image set of its channel count on a pool of worker threads while the trainer works on earlier ones: each
 * sample is read, augmented with its own generator (seeded by the epoch seed and the image,
 * so 1 or N workers give bit-identical batches) and written, normalised, straight into its slot
 * of a reused batch tensor. Each worker frees its native temporaries per image. Closing the
 * loader stops its threads.
 */
public final class Loader implements AutoCloseable {
    private final Normalization norm;
    private final Augmenter augmenter;
    private final BatchBuffer ring;
    private final ExecutorService pool;
    private final int prefetch;
    private final int channels, targets;

    /**
     * @param batchSize  images per batch
     * @param height     slot height (the pipeline's output size)
     * @param width      slot width
     * @param workers    loader threads ({@code kinglet.loader.workers}, default all cores)
     * @param prefetch   batches filled ahead of the one in use
     */
    public Loader(int channels, Augmenter augmenter, Normalization norm, int batchSize, int height, int width, int workers, int prefetch) {
        this(channels, 0, augmenter, norm, batchSize, height, width, workers, prefetch);
    }

    /**
     * A loader of regression sets with {@code targets} targets per image (0: class labels):
     * each sample's targets go through the same augmentation draw as its image.
     */
    public Loader(int channels, int targets, Augmenter augmenter, Normalization norm, int batchSize, int height, int width, int workers, int prefetch) {
        this.norm = norm;
        this.targets = targets;
        this.augmenter = augmenter;
        this.prefetch = prefetch;
        this.channels = channels;
        // one batch in use, `prefetch` being filled, one spare so a slow consumer never sees a batch being overwritten
        this.ring = new BatchBuffer(batchSize, channels, height, width, prefetch + 2, targets);
        this.pool = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "kinglet-loader");
            t.setDaemon(true);
            return t;
        });
    }

    public static int defaultWorkers() {
        return Integer.getInteger("kinglet.loader.workers", Runtime.getRuntime().availableProcessors());
    }

    public int batchSize() {
        return ring.capacity();
    }

    /** Number of batches an epoch over {@code count} images gives. */
    public int batches(int count, boolean dropSingleton) {
        return batches(count, ring.capacity(), dropSingleton);
    }

    /** Batches of {@code batchSize} that {@code count} images make; a last batch of one image is dropped when {@code dropSingleton} (training: batch norm cannot learn from it). */
    public static int batches(int count, int batchSize, boolean dropSingleton) {
        int full = count / batchSize, rest = count % batchSize;
        return full + (rest > 1 || (rest == 1 && !dropSingleton) ? 1 : 0);
    }

    /**
     * One pass over {@code order} (positions in the set). The last batch is dropped when it would
     * hold a single image and {@code dropSingleton} is set (BatchNorm cannot train on one).
     */
    public Iterable<BatchBuffer.Batch> epoch(ImageSet set, int[] order, long epochSeed, boolean dropSingleton) {
        if (set.pixels().channels() != channels) throw new IllegalArgumentException("images have " + set.pixels().channels() + " channels, this loader " + channels);
        if (set.targetNames().size() != targets) throw new IllegalArgumentException("images have " + set.targetNames().size() + " targets, this loader " + targets);
        return epoch(new Source() {
            @Override public Image image(int position) { return Image.of(set.pixels(), set.row(position)); }
            @Override public float[] features(int position) { return set.isTable() ? set.tableRow(position) : null; }
            @Override public int label(int position) { return set.label(position); }
            @Override public float[] targets(int position) { return targets == 0 ? null : set.targets(position); }
            @Override public int row(int position) { return set.row(position); }
        }, order, epochSeed, dropSingleton);
    }

    /**
     * As {@link #epoch(ImageSet, int[], long, boolean)}, but each file of {@code files} is read
     * and decoded every time it is drawn (then converted to this loader's channels): what a
     * loader without a decoded store costs, as TorchVision's usual one. For the benchmark.
     */
    public Iterable<BatchBuffer.Batch> epoch(List<Path> files, int[] labels, int[] order, long epochSeed, boolean dropSingleton) {
        if (labels.length != files.size()) throw new IllegalArgumentException(files.size() + " files but " + labels.length + " labels");
        return epoch(new Source() {
            @Override public Image image(int position) throws IOException { return Image.read(files.get(position)).toChannels(channels); }
            @Override public int label(int position) { return labels[position]; }
            @Override public float[] targets(int position) { return null; }
            @Override public int row(int position) { return position; }
        }, order, epochSeed, dropSingleton);
    }

    /** Where a worker gets the image at a position, made in its scope; {@code row} seeds the image's generator. */
    private interface Source {
        Image image(int position) throws IOException;
        /** A table's row at a position (copied into the slot as it is), or null for images. */
        default float[] features(int position) { return null; }
        int label(int position);
        /** The regression targets at a position, or null for classification. */
        float[] targets(int position);
        int row(int position);
    }

    private Iterable<BatchBuffer.Batch> epoch(Source set, int[] order, long epochSeed, boolean dropSingleton) {
        int count = batches(order.length, dropSingleton);
        return () -> new Iterator<>() {
            final ArrayDeque<Pending> pending = new ArrayDeque<>();
            int submitted, returned;

            @Override
            public boolean hasNext() {
                return returned < count;
            }

            @Override
            public BatchBuffer.Batch next() {
                if (!hasNext()) throw new NoSuchElementException();
                while (submitted < count && pending.size() <= prefetch) pending.add(submit(set, order, submitted++, epochSeed));
                Pending p = pending.poll();
                for (Future<?> f : p.slots) {
                    try {
                        f.get();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted while loading a batch", e);
                    } catch (ExecutionException e) {
                        pending.forEach(q -> q.slots.forEach(s -> s.cancel(true)));
                        throw e.getCause() instanceof RuntimeException re ? re
                                : e.getCause() instanceof IOException io ? new UncheckedIOException(io) : new IllegalStateException(e.getCause());
                    }
                }
                returned++;
                return p.batch;
            }
        };
    }

    private record Pending(BatchBuffer.Batch batch, List<Future<?>> slots) {}

    private Pending submit(Source set, int[] order, int batchIndex, long epochSeed) {
        BatchBuffer.Batch b = ring.next();
        int start = batchIndex * ring.capacity(), end = Math.min(order.length, start + ring.capacity());
        List<Future<?>> slots = new ArrayList<>(end - start);
        for (int i = start; i < end; i++) {
            int slot = i - start, position = order[i];
            slots.add(pool.submit(() -> {
                fill(set, b, slot, position, epochSeed);
                return null;
            }));
        }
        return new Pending(b, slots);
    }

    private void fill(Source set, BatchBuffer.Batch b, int slot, int position, long epochSeed) throws IOException {
        int row = set.row(position);
        float[] features = set.features(position);
        if (features != null) { // a table's row: augmentation is refused for tables (MixUp works on the batch)
            b.putFeatures(slot, features, set.label(position), set.targets(position));
            return;
        }
        try (var scope = Scope.image()) {
            Image img = set.image(position);
            int label = set.label(position);
            float[] y = set.targets(position);
            if (!augmenter.isEmpty()) {
                var sample = augmenter.apply(img, label, y, new SplittableRandom(mix(epochSeed, row)));
                img = sample.image();
                label = sample.label();
                y = sample.targets();
            }
            if (y == null) b.put(slot, img, norm, label);
            else b.put(slot, img, norm, y);
        }
    }

    /** A well-spread seed from the epoch seed and the image (SplitMix64's finaliser). */
    static long mix(long seed, long row) {
        long z = seed * 0x9E3779B97F4A7C15L + row;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    @Override
    public void close() {
        pool.shutdownNow();
        try {
            if (!pool.awaitTermination(30, TimeUnit.SECONDS)) throw new IllegalStateException("loader threads did not stop in 30 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ring.close();
    }
}
