package dev.kinglet.natives;

import org.bytedeco.openblas.global.openblas_nolapack;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.pytorch.global.torch;

/** Process-wide native settings: threads, seeds and the device, set once at start-up. */
public final class NativeRuntime {
    private NativeRuntime() {}

    /** What the native layer runs on; stamped into every run's provenance. */
    public record Info(String libtorch, String opencv, String javacpp, String pytorchPlatform,
                       int threads, Device device, String allocator) {}

    /**
     * Loads the natives, gives LibTorch {@code threads} intra-op threads and OpenBLAS one
     * (measured: OpenBLAS threads fighting LibTorch's OpenMP threads made training 2.4x
     * slower), keeps freed activation memory in the process ({@link Malloc}), seeds every
     * generator and resolves the device.
     */
    public static Info start(int threads, long seed, Device device) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, e.g. " + defaultThreads());
        Natives.load();
        String allocator = Malloc.tune().orElse("system default");
        openblas_nolapack.blas_set_num_threads(1);
        torch.set_num_threads(threads);
        // LibTorch's convolutions take oneDNN first; NNPACK, asked only when allowed, would print
        // "Could not initialize NNPACK! Reason: Unsupported hardware." into every run on CPUs it lacks kernels for.
        torch.globalContext().setUserEnabledNNPACK(false);
        Device resolved = device.resolve();
        seed(seed);
        return new Info(Natives.artifactVersion("pytorch"), opencv_core.CV_VERSION(), Natives.artifactVersion("javacpp"),
                Natives.pytorchPlatform(), threads, resolved, allocator);
    }

    /** Seeds LibTorch's CPU generator and, in a CUDA build with a GPU, every CUDA generator. */
    public static void seed(long seed) {
        Natives.load();
        torch.manual_seed(seed);
        if (Natives.cudaBuild() && torch.cuda_is_available()) torch.cuda_manual_seed_all(seed);
    }

    public static int defaultThreads() {
        return Runtime.getRuntime().availableProcessors();
    }
}
