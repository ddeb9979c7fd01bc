package dev.kinglet.natives;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.List;
import java.util.Properties;

import org.bytedeco.javacpp.Loader;

/**
 * Loads the native libraries of LibTorch, OpenBLAS and OpenCV that ship in the Bytedeco jars.
 *
 * <p>JavaCPP loads {@code libtorch.so} first and leaves its {@code libtorch_cpu.so} dependency
 * to the system linker, which takes the first library of that name on the library path: on a
 * machine with Debian's {@code libtorch-dev} (LibTorch 1.13) or any directory on
 * {@code LD_LIBRARY_PATH} that holds another {@code libtorch_cpu.so}, LibTorch 2.10 then
 * crashes or fails with undefined symbols. Loading our own {@code libgomp}, {@code libc10} and
 * {@code libtorch_cpu} by absolute path from JavaCPP's cache first makes the linker find them
 * already loaded (by soname), whatever else is on the path.
 */
public final class Natives {
    /** Libraries loaded by absolute path, in dependency order, before JavaCPP loads the rest. */
    private static final List<String> PRELOAD = List.of("libgomp.so.1", "libc10.so", "libtorch_cpu.so");

    private static volatile String pytorchPlatform;

    private Natives() {}

    /** Loads the natives once per JVM; every entry point of the native layer calls this first. */
    public static void load() {
        if (pytorchPlatform != null) return;
        synchronized (Natives.class) {
            if (pytorchPlatform != null) return;
            String platform = findPytorchPlatform();
            for (String lib : PRELOAD) {
                String resource = "/org/bytedeco/pytorch/" + platform + "/" + lib;
                URL url = Natives.class.getResource(resource);
                if (url == null) {
                    throw new IllegalStateException("LibTorch native library " + resource
                            + " is not on the class path: the jar of org.bytedeco:pytorch with classifier "
                            + platform + " is missing");
                }
                try {
                    File file = Loader.cacheResource(url);
                    System.load(file.getAbsolutePath());
                } catch (IOException | UnsatisfiedLinkError e) {
                    throw new IllegalStateException("could not load " + lib + " from JavaCPP's cache ("
                            + cacheDirOrUnknown() + "): " + e.getMessage(), e);
                }
            }
            Loader.load(org.bytedeco.pytorch.global.torch.class);
            Loader.load(org.bytedeco.openblas.global.openblas_nolapack.class);
            Loader.load(org.bytedeco.opencv.global.opencv_core.class);
            pytorchPlatform = platform;
        }
    }

    /** True when the LibTorch natives on the class path are the CUDA build ({@code -Pcuda}). */
    public static boolean cudaBuild() {
        load();
        return pytorchPlatform.endsWith("-gpu");
    }

    /** The classifier of the LibTorch natives in use, e.g. {@code linux-x86_64}. */
    public static String pytorchPlatform() {
        load();
        return pytorchPlatform;
    }

    /** Version of a Bytedeco artifact on the class path, from its Maven metadata. */
    static String artifactVersion(String artifactId) {
        String path = "/META-INF/maven/org.bytedeco/" + artifactId + "/pom.properties";
        try (InputStream in = Loader.class.getResourceAsStream(path)) {
            if (in == null) return "unknown";
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String findPytorchPlatform() {
        String platform = Loader.getPlatform();
        for (String candidate : List.of(platform + "-gpu", platform)) {
            if (Natives.class.getResource("/org/bytedeco/pytorch/" + candidate + "/libtorch_cpu.so") != null) {
                return candidate;
            }
        }
        throw new IllegalStateException("no LibTorch natives for platform " + platform
                + " on the class path: add org.bytedeco:pytorch with classifier " + platform
                + " (or " + platform + "-gpu for CUDA)");
    }

    private static String cacheDirOrUnknown() {
        try {
            return Loader.getCacheDir().getPath();
        } catch (IOException e) {
            return "unknown cache directory";
        }
    }
}
