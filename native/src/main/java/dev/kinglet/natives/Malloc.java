package dev.kinglet.natives;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * glibc's allocator settings for LibTorch's large, short-lived activation tensors. By default
 * glibc serves blocks above its mmap threshold (dynamic, at most 32 MB) with a fresh mmap and returns
 * freed heap tops to the OS (trim), so every batch pays page faults again on memory it just
 * released: measured 1,300 vs 1,800 img/s evaluating the small CNN at batch 256. Raising both
 * thresholds keeps that memory in the process; resident memory then stays at its peak, flat.
 * Tunable with {@code -Dkinglet.malloc.mmapThreshold} and {@code -Dkinglet.malloc.trimThreshold}
 * (bytes; 0 leaves glibc's default).
 */
final class Malloc {
    private static final int M_TRIM_THRESHOLD = -1, M_MMAP_THRESHOLD = -3;
    static final int DEFAULT_MMAP_THRESHOLD = 1 << 30;
    static final int DEFAULT_TRIM_THRESHOLD = 1 << 30;

    private Malloc() {}

    /** Applies the settings; returns what was set, or empty where this is not glibc. */
    static Optional<String> tune() {
        Optional<MethodHandle> mallopt = Linker.nativeLinker().defaultLookup().find("mallopt")
                .map(addr -> Linker.nativeLinker().downcallHandle(addr,
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT)));
        if (mallopt.isEmpty()) return Optional.empty();
        int mmap = Integer.getInteger("kinglet.malloc.mmapThreshold", DEFAULT_MMAP_THRESHOLD);
        int trim = Integer.getInteger("kinglet.malloc.trimThreshold", DEFAULT_TRIM_THRESHOLD);
        try {
            boolean mmapSet = mmap > 0 && (int) mallopt.get().invokeExact(M_MMAP_THRESHOLD, mmap) == 1;
            boolean trimSet = trim > 0 && (int) mallopt.get().invokeExact(M_TRIM_THRESHOLD, trim) == 1;
            return Optional.of("mmap threshold " + (mmapSet ? mmap : "default") + ", trim threshold " + (trimSet ? trim : "default"));
        } catch (Throwable t) {
            throw new IllegalStateException("mallopt failed", t);
        }
    }
}
