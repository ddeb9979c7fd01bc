package dev.kinglet.natives;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * A small ring of reused CPU batch tensors, {@code [capacity, C, H, W]} float32 images and
 * {@code [capacity]} int64 labels, or for regression {@code [capacity, T]} float32 targets. Reuse matters: a fresh large batch tensor costs page faults
 * every time (measured ~12 ms for 38.5 MB), and a ring lets a loader fill batch k+1 while the
 * trainer still reads batch k. Each image is written as normalised float CHW straight into its
 * slot through an OpenCV header over tensor memory: no intermediate copy.
 */
public final class BatchBuffer implements AutoCloseable {
    private final Batch[] ring;
    private final int capacity, channels, height, width, targets;
    private int next;

    public BatchBuffer(int capacity, int channels, int height, int width, int ringSize) {
        this(capacity, channels, height, width, ringSize, 0);
    }

    /** @param targets regression targets per image ({@code 0}: class labels instead) */
    public BatchBuffer(int capacity, int channels, int height, int width, int ringSize, int targets) {
        if (capacity < 1 || ringSize < 1 || height < 1 || width < 1 || (channels != 1 && channels != 3)) {
            throw new IllegalArgumentException("batch buffer needs capacity and ring >= 1, 1 or 3 channels, got capacity="
                    + capacity + " ring=" + ringSize + " shape=" + channels + "x" + height + "x" + width);
        }
        if (targets < 0) throw new IllegalArgumentException("targets must be >= 0, got " + targets);
        Natives.load();
        this.targets = targets;
        this.capacity = capacity;
        this.channels = channels;
        this.height = height;
        this.width = width;
        ring = new Batch[ringSize];
        for (int i = 0; i < ringSize; i++) ring[i] = new Batch();
    }

    public int capacity() { return capacity; }

    /** The next batch of the ring, emptied. Valid until the ring comes round to it again. */
    public Batch next() {
        Batch b = ring[next];
        next = (next + 1) % ring.length;
        b.size = 0;
        return b;
    }

    @Override
    public void close() {
        for (Batch b : ring) {
            b.images.close();
            b.labels.close();
            if (b.targets != null) b.targets.close();
        }
    }

    /** One reusable batch: write slots (from any threads, one slot each), then read its tensors. */
    public final class Batch {
        private final Tensor images, labels, targets;
        private final MemorySegment imageMemory, labelMemory, targetMemory;
        private int size;

        private Batch() {
            images = TensorMemory.unscoped(torch.zeros(new long[] {capacity, channels, height, width}, new TensorOptions(torch.ScalarType.Float)));
            labels = TensorMemory.unscoped(torch.zeros(new long[] {capacity}, new TensorOptions(torch.ScalarType.Long)));
            targets = BatchBuffer.this.targets == 0 ? null
                    : TensorMemory.unscoped(torch.zeros(new long[] {capacity, BatchBuffer.this.targets}, new TensorOptions(torch.ScalarType.Float)));
            imageMemory = TensorMemory.view(images);
            labelMemory = TensorMemory.view(labels);
            targetMemory = targets == null ? null : TensorMemory.view(targets);
        }

        /** Writes {@code image}, normalised, into slot {@code slot}, with its regression targets (one per target of this buffer). */
        public void put(int slot, Image image, Normalization norm, float[] values) {
            if (targets == null || values.length != BatchBuffer.this.targets) {
                throw new IllegalArgumentException(values.length + " targets for a batch of " + BatchBuffer.this.targets + " targets per image");
            }
            put(slot, image, norm, 0L);
            MemorySegment.copy(values, 0, targetMemory, ValueLayout.JAVA_FLOAT, (long) slot * values.length * Float.BYTES, values.length);
        }

        /**
         * Writes a row of features (a table's encoded row: {@code C x H x W} floats, copied as they
         * are, without normalisation) into slot {@code slot}, with its label, or with its regression
         * targets when {@code values} is not null.
         */
        public void putFeatures(int slot, float[] features, long label, float[] values) {
            int n = channels * height * width;
            if (features.length != n) throw new IllegalArgumentException(features.length + " features for batch slots of " + n);
            checkSlot(slot);
            MemorySegment.copy(features, 0, imageMemory, ValueLayout.JAVA_FLOAT, (long) slot * n * Float.BYTES, n);
            if (values != null) {
                if (targets == null || values.length != BatchBuffer.this.targets) {
                    throw new IllegalArgumentException(values.length + " targets for a batch of " + BatchBuffer.this.targets + " targets per row");
                }
                MemorySegment.copy(values, 0, targetMemory, ValueLayout.JAVA_FLOAT, (long) slot * values.length * Float.BYTES, values.length);
            } else {
                labelMemory.setAtIndex(ValueLayout.JAVA_LONG, slot, label);
            }
        }

        /**
         * Writes image {@code index} of {@code pixels}, normalised, into slot {@code slot}, with its
         * label. The source must have this buffer's height, width and channel count.
         */
        public void put(int slot, Pixels pixels, int index, Normalization norm, long label) {
            if (pixels.height() != height || pixels.width() != width || pixels.channels() != channels) {
                throw new IllegalArgumentException("image is " + pixels.channels() + "x" + pixels.height() + "x" + pixels.width()
                        + ", batch slots are " + channels + "x" + height + "x" + width);
            }
            try (var scope = Scope.image()) {
                writeSlot(slot, pixels.mat(index), norm);
            }
            labelMemory.setAtIndex(ValueLayout.JAVA_LONG, checkSlot(slot), label);
        }

        /** Writes {@code image}, normalised, into slot {@code slot}, with its label; the image must have the slot's shape. */
        public void put(int slot, Image image, Normalization norm, long label) {
            if (image.height() != height || image.width() != width || image.channels() != channels) {
                throw new IllegalArgumentException("image is " + image.channels() + "x" + image.height() + "x" + image.width()
                        + ", batch slots are " + channels + "x" + height + "x" + width);
            }
            Mat m = image.mat.isContinuous() ? image.mat : image.mat.clone();
            writeSlot(slot, m, norm);
            labelMemory.setAtIndex(ValueLayout.JAVA_LONG, checkSlot(slot), label);
        }

        void writeSlot(int slot, Mat src, Normalization norm) {
            checkSlot(slot);
            Normalization n = norm.broadcast(channels);
            long planeBytes = (long) height * width * Float.BYTES;
            long base = imageMemory.address() + (long) slot * channels * planeBytes;
            if (channels == 1) {
                writePlane(src, base, n, 0);
            } else {
                Mat plane = new Mat();
                for (int c = 0; c < channels; c++) {
                    opencv_core.extractChannel(src, plane, c);
                    writePlane(plane, base + c * planeBytes, n, c);
                }
            }
        }

        private void writePlane(Mat u8, long address, Normalization n, int c) {
            Mat dst = new Mat(height, width, opencv_core.CV_32FC1, new Address(address));
            u8.convertTo(dst, opencv_core.CV_32F, n.scale(c), n.offset(c));
            // A header of the wrong type or size makes convertTo allocate elsewhere, silently.
            if (dst.data().address() != address) throw new IllegalStateException("convertTo did not write into the batch slot");
        }

        private int checkSlot(int slot) {
            if (slot < 0 || slot >= capacity) throw new IndexOutOfBoundsException("slot " + slot + " of " + capacity);
            if (slot >= size) {
                synchronized (this) { size = Math.max(size, slot + 1); }
            }
            return slot;
        }

        /** Number of slots in use: one past the highest slot written. */
        public int size() {
            return size;
        }

        /** Images of the slots in use, {@code [size, C, H, W]}: a view, made in the caller's scope. */
        public Tensor images() {
            return size == capacity ? images : images.narrow(0, 0, size);
        }

        /** Labels of the slots in use, {@code [size]}. */
        public Tensor labels() {
            return size == capacity ? labels : labels.narrow(0, 0, size);
        }

        /** Regression targets of the slots in use, {@code [size, T]}; only for a buffer made with targets. */
        public Tensor targets() {
            if (targets == null) throw new IllegalStateException("this batch buffer holds class labels, not regression targets");
            return size == capacity ? targets : targets.narrow(0, 0, size);
        }
    }
}
