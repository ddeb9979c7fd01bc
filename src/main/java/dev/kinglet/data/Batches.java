package dev.kinglet.data;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

import dev.kinglet.natives.BatchBuffer;
import dev.kinglet.natives.Normalization;

/**
 * One epoch of batches over an image set: shuffled by a seeded generator (training) or in
 * order (evaluation), written into the reused tensors of a {@link BatchBuffer}.
 */
public final class Batches implements Iterable<BatchBuffer.Batch> {
    private final ImageSet set;
    private final BatchBuffer buffer;
    private final Normalization norm;
    private final int[] order;
    private final boolean dropLast;

    private Batches(ImageSet set, BatchBuffer buffer, Normalization norm, int[] order, boolean dropLast) {
        this.set = set;
        this.buffer = buffer;
        this.norm = norm;
        this.order = order;
        this.dropLast = dropLast;
    }

    /** A shuffled epoch; the last partial batch is dropped when it would hold fewer than 2 images (BatchNorm needs 2). */
    public static Batches shuffled(ImageSet set, BatchBuffer buffer, Normalization norm, SplittableRandom rng) {
        int[] order = identity(set.size());
        for (int i = order.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i]; order[i] = order[j]; order[j] = t;
        }
        return new Batches(set, buffer, norm, order, set.size() % buffer.capacity() == 1);
    }

    public static Batches inOrder(ImageSet set, BatchBuffer buffer, Normalization norm) {
        return new Batches(set, buffer, norm, identity(set.size()), false);
    }

    public int count() {
        int full = order.length / buffer.capacity(), rest = order.length % buffer.capacity();
        return full + (rest > 0 && !dropLast ? 1 : 0);
    }

    /** Indices into the image set, in the order the batches visit them. */
    public int[] order() {
        return order.clone();
    }

    private static int[] identity(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = i;
        return a;
    }

    @Override
    public Iterator<BatchBuffer.Batch> iterator() {
        return new Iterator<>() {
            int batch;

            @Override
            public boolean hasNext() {
                return batch < count();
            }

            @Override
            public BatchBuffer.Batch next() {
                if (!hasNext()) throw new NoSuchElementException();
                BatchBuffer.Batch b = buffer.next();
                int start = batch++ * buffer.capacity();
                int end = Math.min(order.length, start + buffer.capacity());
                for (int i = start; i < end; i++) {
                    int index = order[i];
                    b.put(i - start, set.pixels(), set.row(index), norm, set.label(index));
                }
                return b;
            }
        };
    }
}
