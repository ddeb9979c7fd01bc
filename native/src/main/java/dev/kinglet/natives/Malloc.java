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
 * Arenas are held to one per core: with trimming off, every arena keeps its own freed memory,
 * and threads that come and go (loaders, OpenMP) would spread it over up to 8 per core.
 * Tunable with {@code -Dkinglet.malloc.mmapThreshold}, {@code -Dkinglet.malloc.trimThreshold}
 * (bytes) and {@code -Dkinglet.malloc.arenaMax}; 0 leaves glibc's default.
 */
final class Malloc {
    private static final int M_TRIM_THRESHOLD = -1, M_MMAP_THRESHOLD = -3, M_ARENA_MAX = -8;
    static final int DEFAULT_MMAP_THRESHOLD = 1 << 30;
    static final int DEFAULT_TRIM_THRESHOLD = 1 << 30;
    /** Arenas kept: one per core. More (glibc allows 8 per core) each keep their own freed memory once trimming is off. */
    static final int DEFAULT_ARENA_MAX = Runtime.getRuntime().availableProcessors();

    private Malloc() {}

    /** Applies the settings; returns what was set, or empty where this is not glibc. */
    static Optional<String> tune() {
        Optional<MethodHandle> mallopt = Linker.nativeLinker().defaultLookup().find("mallopt")
                .map(addr -> Linker.nativeLinker().downcallHandle(addr,
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT)));
        if (mallopt.isEmpty()) return Optional.empty();
        int mmap = Integer.getInteger("kinglet.malloc.mmapThreshold", DEFAULT_MMAP_THRESHOLD);
        int trim = Integer.getInteger("kinglet.malloc.trimThreshold", DEFAULT_TRIM_THRESHOLD);
        int arenas = Integer.getInteger("kinglet.malloc.arenaMax", DEFAULT_ARENA_MAX);
        try {
            boolean mmapSet = mmap > 0 && (int) mallopt.get().invokeExact(M_MMAP_THRESHOLD, mmap) == 1;
            boolean trimSet = trim > 0 && (int) mallopt.get().invokeExact(M_TRIM_THRESHOLD, trim) == 1;
            boolean arenasSet = arenas > 0 && (int) mallopt.get().invokeExact(M_ARENA_MAX, arenas) == 1;
            return Optional.of("mmap threshold " + (mmapSet ? mmap : "default") + ", trim threshold " + (trimSet ? trim : "default")
                    + ", arenas " + (arenasSet ? arenas : "default"));
        } catch (Throwable t) {
            throw new IllegalStateException("mallopt failed", t);
        }
    }
}
