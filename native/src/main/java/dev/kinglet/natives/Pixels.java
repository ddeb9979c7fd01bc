package dev.kinglet.natives;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;

import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * A block of native memory holding {@code count} 8-bit images of one size, each row-major HWC
 * (OpenCV's layout). Decoded data sets live here so batches are filled without Java copies:
 * in memory of their own, or in a read-only mapping of an image cache file ({@link PixelCache}).
 */
public final class Pixels implements AutoCloseable {
    // Shared: loader threads read images while the owner thread keeps the block alive.
    private final Arena arena;
    private final MemorySegment data;
    private final int count, height, width, channels;

    private Pixels(Arena arena, MemorySegment data, int count, int height, int width, int channels) {
        this.arena = arena;
        this.data = data;
        this.count = count;
        this.height = height;
        this.width = width;
        this.channels = channels;
    }

    private static long bytes(int count, int height, int width, int channels) {
        if (count < 0 || height < 1 || width < 1 || (channels != 1 && channels != 3)) {
            throw new IllegalArgumentException("pixels need count >= 0, height and width >= 1 and 1 or 3 channels, got "
                    + count + "x" + height + "x" + width + "x" + channels);
        }
        return (long) count * height * width * channels;
    }

    public static Pixels allocate(int count, int height, int width, int channels) {
        long bytes = bytes(count, height, width, channels);
        Arena arena = Arena.ofShared();
        return new Pixels(arena, arena.allocate(Math.max(1L, bytes), 64), count, height, width, channels);
    }

    /** {@code count} images stored back to back at {@code offset} of {@code file}, mapped read-only: nothing is copied. */
    static Pixels mapped(FileChannel file, long offset, int count, int height, int width, int channels) throws IOException {
        long bytes = bytes(count, height, width, channels);
        Arena arena = Arena.ofShared();
        try {
            return new Pixels(arena, file.map(FileChannel.MapMode.READ_ONLY, offset, bytes, arena), count, height, width, channels);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** Copies {@code count} images from {@code hwc}, which holds them back to back. */
    public static Pixels copyOf(byte[] hwc, int offset, int count, int height, int width, int channels) {
        Pixels p = allocate(count, height, width, channels);
        long bytes = (long) count * p.imageBytes();
        if (offset < 0 || offset + bytes > hwc.length) {
            p.close();
            throw new IllegalArgumentException("need " + bytes + " bytes from offset " + offset + ", array has " + hwc.length);
        }
        MemorySegment.copy(hwc, offset, p.data, ValueLayout.JAVA_BYTE, 0, (int) bytes);
        return p;
    }

    public int count() { return count; }
    public int height() { return height; }
    public int width() { return width; }
    public int channels() { return channels; }

    public int imageBytes() {
        return height * width * channels;
    }

    public void set(int index, byte[] hwc) {
        if (data.isReadOnly()) throw new UnsupportedOperationException("these pixels are a read-only mapping of an image cache file");
        if (hwc.length != imageBytes()) throw new IllegalArgumentException("image has " + hwc.length + " bytes, expected " + imageBytes());
        MemorySegment.copy(hwc, 0, image(index), ValueLayout.JAVA_BYTE, 0, hwc.length);
    }

    public byte[] get(int index) {
        return image(index).toArray(ValueLayout.JAVA_BYTE);
    }

    MemorySegment image(int index) {
        if (index < 0 || index >= count) throw new IndexOutOfBoundsException("image " + index + " of " + count);
        return data.asSlice((long) index * imageBytes(), imageBytes());
    }

    /** An OpenCV header over image {@code index}: borrows this block, copies nothing. */
    Mat mat(int index) {
        return new Mat(height, width, opencv_core.CV_8UC(channels), new Address(image(index).address()));
    }

    @Override
    public void close() {
        arena.close();
    }
}
