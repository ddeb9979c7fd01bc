package dev.kinglet.natives;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import org.bytedeco.javacpp.Loader;

/**
 * Loads the native libraries of LibTorch, OpenBLAS and OpenCV that ship in the Bytedeco jars.
 *
 * <p>Each preset's libraries sit in their own folder of JavaCPP's cache, and their
 * {@code RUNPATH} names only {@code $ORIGIN} and folders of the presets' build machine. So a
 * library that one preset needs from another ({@code libtorch_cpu.so} and
 * {@code libopencv_core.so.413} need OpenBLAS's {@code libopenblas.so.0}) is left to the system
 * linker, which takes whatever carries that name on the system path: nothing on a bare machine
 * ("cannot open shared object file"), Debian's OpenBLAS where it is installed, and with
 * Debian's {@code libtorch-dev} (or another {@code libtorch_cpu.so} first on
 * {@code LD_LIBRARY_PATH}) a foreign LibTorch that crashes 2.10 or fails with undefined symbols.
 *
 * <p>So before JavaCPP loads a JNI library, every library it needs that a preset ships is loaded
 * from JavaCPP's cache by absolute path, dependencies first. The order is read from the files
 * ({@code DT_NEEDED} of each ELF file), not kept by hand; the linker then finds each already
 * loaded by its soname, whatever else is on the path.
 */
public final class Natives {
    /** The presets whose libraries may serve one another's needs. */
    private static final List<String> PRESETS = List.of("pytorch", "openblas", "opencv", "cuda");
    /** The JNI libraries behind the classes Kinglet uses: torch, and OpenCV's core, imgproc and imgcodecs. */
    private static final List<String> ENTRY_POINTS = List.of(
            "libjnitorch.so", "libjniopencv_core.so", "libjniopencv_imgproc.so", "libjniopencv_imgcodecs.so");
    /** In the CUDA build ({@code -Pcuda}) also LibTorch's CUDA side, whose CUDA and cuDNN libraries come from the host. */
    private static final String CUDA_ENTRY_POINT = "libjnitorch_cuda.so";

    private static volatile String pytorchPlatform;

    private Natives() {}

    /** Loads the natives once per JVM; every entry point of the native layer calls this first. */
    public static void load() {
        if (pytorchPlatform != null) return;
        synchronized (Natives.class) {
            if (pytorchPlatform != null) return;
            String platform = findPytorchPlatform();
            new Preloader(platform, presetLibraries(platform), mappedLibraryNames()).run();
            Loader.load(org.bytedeco.pytorch.global.torch.class);
            Loader.load(org.bytedeco.openblas.global.openblas_nolapack.class);
            Loader.load(org.bytedeco.opencv.global.opencv_core.class);
            pytorchPlatform = platform;
        }
    }

    /** Loads the presets' libraries that the entry points need, each after what it needs. */
    private record Preloader(String platform, Map<String, URL> libraries, Set<String> inProcess) {
        void run() {
            for (String jni : ENTRY_POINTS) {
                if (!libraries.containsKey(jni)) {
                    throw new IllegalStateException("native library " + jni + " is not on the class path: the jars of "
                            + "org.bytedeco:pytorch (classifier " + platform + ") and org.bytedeco:opencv are needed");
                }
            }
            Set<String> visited = new HashSet<>();
            for (String jni : ENTRY_POINTS) visit(jni, visited);
            if (platform.endsWith("-gpu")) visit(CUDA_ENTRY_POINT, visited);
        }

        private void visit(String name, Set<String> visited) {
            if (!visited.add(name)) return;
            URL url = libraries.get(name);
            if (url == null) return; // not shipped by a preset: the system's (libc, libstdc++, CUDA on the host)
            File file;
            ElfDynamic elf;
            try {
                file = Loader.cacheResource(url);
                elf = ElfDynamic.read(file.toPath());
            } catch (IOException e) {
                throw new IllegalStateException("could not extract " + name + " into JavaCPP's cache ("
                        + cacheDirOrUnknown() + "): " + e.getMessage(), e);
            }
            for (String dep : elf.needed()) visit(dep, visited);
            // JNI libraries are JavaCPP's to load; a library the process has already (the JVM's own libgcc_s) is
            // the one the linker would bind, so a second copy would only split its state.
            if (name.startsWith("libjni") || inProcess.contains(name)) return;
            try {
                System.load(file.getAbsolutePath());
            } catch (UnsatisfiedLinkError e) {
                String hint = platform.endsWith("-gpu")
                        ? " (the CUDA build needs CUDA 13.1 and cuDNN 9 on the host's library path)" : "";
                throw new IllegalStateException("could not load " + name + " from JavaCPP's cache ("
                        + cacheDirOrUnknown() + "): " + e.getMessage() + hint, e);
            }
        }
    }

    /** File name to class-path URL of every shared library in the presets' folders for this platform. */
    private static Map<String, URL> presetLibraries(String pytorchPlatform) {
        Map<String, URL> found = new LinkedHashMap<>();
        ClassLoader cl = Natives.class.getClassLoader();
        for (String preset : PRESETS) {
            for (String platform : new LinkedHashSet<>(List.of(pytorchPlatform, Loader.getPlatform()))) {
                String dir = "org/bytedeco/" + preset + "/" + platform + "/";
                try {
                    for (URL url : Collections.list(cl.getResources(dir))) {
                        for (String name : listFolder(url)) {
                            if (name.startsWith("lib") && name.matches(".*\\.so(\\.[0-9.]+)?")) {
                                found.putIfAbsent(name, cl.getResource(dir + name));
                            }
                        }
                    }
                } catch (IOException | URISyntaxException e) {
                    throw new IllegalStateException("could not list the native libraries in " + dir + ": " + e.getMessage(), e);
                }
            }
        }
        return found;
    }

    /** File names directly in a class-path folder, in a jar or on disk. */
    private static List<String> listFolder(URL folder) throws IOException, URISyntaxException {
        List<String> names = new ArrayList<>();
        if (folder.getProtocol().equals("jar")) {
            JarURLConnection c = (JarURLConnection) folder.openConnection();
            String prefix = c.getEntryName();
            try (JarFile jar = new JarFile(c.getJarFileURL().toURI().getPath())) {
                for (JarEntry e : Collections.list(jar.entries())) {
                    String rest = e.getName().startsWith(prefix) ? e.getName().substring(prefix.length()) : null;
                    if (rest != null && !rest.isEmpty() && !rest.contains("/")) names.add(rest);
                }
            }
        } else if (folder.getProtocol().equals("file")) {
            try (var files = Files.list(Path.of(folder.toURI()))) {
                files.filter(Files::isRegularFile).forEach(p -> names.add(p.getFileName().toString()));
            }
        }
        return names;
    }

    /** File names of the shared libraries this process has mapped already. */
    private static Set<String> mappedLibraryNames() {
        Set<String> names = new HashSet<>();
        for (Path p : mappedLibraries()) names.add(p.getFileName().toString());
        return names;
    }

    /** Every shared library file mapped into this process, from {@code /proc/self/maps} (Linux; empty elsewhere). */
    private static List<Path> mappedLibraries() {
        Set<Path> files = new LinkedHashSet<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
                int slash = line.indexOf('/');
                if (slash >= 0 && line.contains(".so")) files.add(Path.of(line.substring(slash).replace(" (deleted)", "")));
            }
        } catch (IOException e) {
            // no /proc: nothing is known to be mapped
        }
        return List.copyOf(files);
    }

    /**
     * Where the native libraries came from, for {@code kinglet natives}: every shared library
     * the process has mapped once LibTorch and the OpenCV modules Kinglet uses are loaded, and
     * those that carry the name of a preset's library but were mapped from outside JavaCPP's
     * cache (a system OpenBLAS, a foreign LibTorch): these should be none.
     */
    public record Origins(Path cacheDir, List<Path> mapped, List<Path> foreign) {}

    public static Origins origins() {
        load();
        Loader.load(org.bytedeco.opencv.global.opencv_imgproc.class);
        Loader.load(org.bytedeco.opencv.global.opencv_imgcodecs.class);
        Path cache;
        try {
            cache = Loader.getCacheDir().toPath().toRealPath();
        } catch (IOException e) {
            throw new IllegalStateException("JavaCPP's cache directory is not readable: " + e.getMessage(), e);
        }
        Set<String> presetNames = presetLibraries(pytorchPlatform).keySet();
        List<Path> mapped = mappedLibraries();
        List<Path> foreign = mapped.stream()
                .filter(p -> presetNames.contains(p.getFileName().toString()) && !p.startsWith(cache))
                .toList();
        return new Origins(cache, mapped, foreign);
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
