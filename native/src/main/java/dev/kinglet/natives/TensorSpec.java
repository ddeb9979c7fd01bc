package dev.kinglet.natives;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * A tensor in a weight file: a strided view, {@code offset} elements into {@code storage}.
 * Made only through {@link #of}, which checks that every element lies inside the storage:
 * a file's sizes are never trusted to stay in bounds.
 */
record TensorSpec(Dtype dtype, long[] shape, long[] strides, long offset, MemorySegment storage) {
    static TensorSpec of(String where, Dtype dtype, long[] shape, long[] strides, long offset, MemorySegment storage) throws IOException {
        if (shape.length != strides.length) throw new IOException(where + " has " + shape.length + " sizes and " + strides.length + " strides");
        try {
            long last = offset; // index of the last element the view reaches
            boolean empty = false;
            for (int i = 0; i < shape.length; i++) {
                if (shape[i] < 0 || strides[i] < 0) throw new IOException(where + " has negative size or stride: " + Arrays.toString(shape) + " " + Arrays.toString(strides));
                if (shape[i] == 0) empty = true;
                else last = Math.addExact(last, Math.multiplyExact(shape[i] - 1, strides[i]));
            }
            long needed = Math.multiplyExact(empty ? offset : Math.addExact(last, 1), (long) dtype.size);
            if (offset < 0 || needed > storage.byteSize()) {
                throw new IOException(where + " (" + dtype.torchName + " " + Arrays.toString(shape) + ", strides " + Arrays.toString(strides)
                        + ", offset " + offset + ") reaches byte " + needed + " of a storage of " + storage.byteSize() + " bytes: the file is corrupt");
            }
            numel(shape, where);
        } catch (ArithmeticException e) {
            throw new IOException(where + " has sizes that overflow: " + Arrays.toString(shape) + " " + Arrays.toString(strides), e);
        }
        return new TensorSpec(dtype, shape.clone(), strides.clone(), offset, storage);
    }

    static long numel(long[] shape, String where) throws IOException {
        long n = 1;
        try {
            for (long d : shape) n = Math.multiplyExact(n, d);
        } catch (ArithmeticException e) {
            throw new IOException(where + " has a shape whose size overflows: " + Arrays.toString(shape), e);
        }
        return n;
    }

    static long[] contiguousStrides(long[] shape) {
        long[] strides = new long[shape.length];
        long s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            strides[i] = s;
            s *= Math.max(shape[i], 1);
        }
        return strides;
    }

    /** This spec, over a copy of its storage in {@code arena} when the file leaves its elements misaligned. */
    TensorSpec aligned(Arena arena) {
        if (storage.address() % dtype.size == 0) return this;
        MemorySegment copy = arena.allocate(Math.max(storage.byteSize(), 1), ZipArchive.ALIGNMENT).asSlice(0, storage.byteSize());
        copy.copyFrom(storage);
        return new TensorSpec(dtype, shape, strides, offset, copy);
    }

    /** A tensor over the storage, no copy; it borrows the storage's memory and is in no scope. */
    Tensor view() {
        try (var scope = new PointerScope()) {
            Address data = new Address(storage.address() + offset * dtype.size);
            return TensorMemory.unscoped(torch.from_blob(data, shape, strides, new TensorOptions(dtype.scalarType)));
        }
    }
}
