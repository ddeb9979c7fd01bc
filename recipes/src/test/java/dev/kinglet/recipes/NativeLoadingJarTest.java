package dev.kinglet.recipes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded jar a user runs, with a fresh JavaCPP cache, loads every LibTorch, c10, gomp,
 * OpenBLAS and OpenCV library from that cache, even where Debian's OpenBLAS is installed
 * (CI's machine), and runs with no OpenBLAS on the system at all (a bare machine).
 */
class NativeLoadingJarTest {
    /** Libraries that only the presets may provide: a system copy of any of them is the bug. */
    static final Pattern PRESET_LIBRARY = Pattern.compile("lib(torch|c10|gomp|openblas|gfortran|quadmath|opencv_|jni).*\\.so.*");
    /** Where Debian's libopenblas0-pthread puts OpenBLAS (its libopenblas.so.0 alternative points here). */
    static final Path DEBIAN_OPENBLAS = Path.of("/usr/lib/x86_64-linux-gnu/openblas-pthread");

    static final Path JAR = FashionQuickTest.repoRoot().resolve("recipes/target/kinglet-recipes.jar");

    @TempDir Path dir;

    @Test
    void everyPresetLibraryComesFromTheFreshCache() throws Exception {
        Path cache = Files.createDirectories(dir.resolve("javacpp-cache"));
        CliTest.Out o = CliTest.java(List.of("-Dorg.bytedeco.javacpp.cachedir=" + cache), JAR, "natives");
        assertThat(o.exit()).as(o.stdout() + o.stderr()).isZero();
        List<String> mapped = o.stdout().lines().map(String::strip).filter(l -> l.startsWith("/")).toList();
        List<String> preset = mapped.stream().filter(l -> PRESET_LIBRARY.matcher(Path.of(l).getFileName().toString()).matches()).toList();
        assertThat(preset).as("LibTorch, OpenBLAS and OpenCV are mapped").anyMatch(l -> l.endsWith("/libtorch_cpu.so"))
                .anyMatch(l -> l.endsWith("/libopenblas.so.0")).anyMatch(l -> l.contains("/libopencv_imgcodecs.so"));
        String cacheDir = cache.toRealPath().toString();
        assertThat(preset).as("every one from the fresh cache " + cacheDir).allMatch(l -> l.startsWith(cacheDir + "/"));
    }

    @Test
    void checksTheDemoWithNoOpenBlasOnTheSystem() throws Exception {
        // In a mount namespace an empty tmpfs hides Debian's OpenBLAS, as on a machine that never had it.
        boolean hide = Files.isDirectory(DEBIAN_OPENBLAS);
        if (hide) {
            assumeTrue(new ProcessBuilder("id", "-u").start().inputReader().readLine().equals("0"), "needs root for unshare -m");
            assumeTrue(Files.isExecutable(Path.of("/usr/bin/unshare")), "needs unshare (util-linux)");
        }
        Path cache = Files.createDirectories(dir.resolve("javacpp-cache"));
        String java = ProcessHandle.current().info().command().orElseThrow();
        String run = "'" + java + "' -Dorg.bytedeco.javacpp.cachedir='" + cache + "' -jar '" + JAR + "' check fashion-quick";
        String script = hide
                ? "mount -t tmpfs none " + DEBIAN_OPENBLAS + " && test ! -e /usr/lib/x86_64-linux-gnu/libopenblas.so.0"
                        + " && echo openblas-hidden && exec " + run
                : "echo openblas-absent && exec " + run;
        List<String> cmd = hide ? List.of("unshare", "-m", "sh", "-c", script) : List.of("sh", "-c", script);
        Process p = new ProcessBuilder(cmd).directory(FashionQuickTest.repoRoot().toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(out).contains(hide ? "openblas-hidden" : "openblas-absent");
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).doesNotContain("cannot open shared object file").contains("forward");
    }
}
