package dev.kinglet.natives;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hazard of FINDINGS.md: a foreign {@code libtorch_cpu.so} first on the library path and a
 * fresh JavaCPP cache. Each case runs in a child JVM because a process loads natives once.
 */
class NativeLoadingTest {
    @TempDir static Path dir;
    static Path foreignLibs;

    @BeforeAll
    static void foreignLibtorch() throws IOException {
        // Some other shared library under LibTorch's name, as Debian's libtorch-dev (1.13) leaves one.
        foreignLibs = Files.createDirectories(dir.resolve("foreign-lib"));
        Path any = Stream.of("/lib/x86_64-linux-gnu/libz.so.1", "/usr/lib/x86_64-linux-gnu/libz.so.1")
                .map(Path::of).filter(Files::exists).findFirst().orElseThrow();
        Files.copy(any, foreignLibs.resolve("libtorch_cpu.so"));
    }

    @Test
    void loadsLibtorchWithForeignLibraryOnPathAndFreshCache() throws Exception {
        Result r = probe("kinglet", Files.createDirectories(dir.resolve("cache-kinglet")));
        assertThat(r.exit).as(r.output).isZero();
        assertThat(r.output).contains("sum=45");
    }

    @Test
    void theHazardIsRealWithoutOurLoader() throws Exception {
        // Proves the setup above reproduces the failure, so the test above can fail.
        Result r = probe("naive", Files.createDirectories(dir.resolve("cache-naive")));
        assertThat(r.exit).as(r.output).isNotZero();
        assertThat(r.output).doesNotContain("sum=45");
    }

    @Test
    void everyPresetLibraryIsMappedFromTheFreshCache() throws Exception {
        // The system's library path as it is: on CI's machine Debian's OpenBLAS is on it.
        Path cache = Files.createDirectories(dir.resolve("cache-origins"));
        Result r = probe("origins", cache, null);
        assertThat(r.exit).as(r.output).isZero();
        List<String> preset = r.output.lines().filter(l -> l.startsWith("mapped="))
                .map(l -> l.substring("mapped=".length()))
                .filter(l -> PRESET_LIBRARY.matcher(Path.of(l).getFileName().toString()).matches()).toList();
        assertThat(preset).anyMatch(l -> l.endsWith("/libtorch_cpu.so")).anyMatch(l -> l.endsWith("/libopenblas.so.0"))
                .anyMatch(l -> l.endsWith("/libgomp.so.1")).anyMatch(l -> l.contains("/libopencv_core.so"));
        String cacheDir = cache.toRealPath().toString();
        assertThat(preset).as("from " + cacheDir).allMatch(l -> l.startsWith(cacheDir + "/"));
    }

    /** Libraries that only the presets may provide: a system copy of any of them is the bug. */
    private static final java.util.regex.Pattern PRESET_LIBRARY =
            java.util.regex.Pattern.compile("lib(torch|c10|gomp|openblas|gfortran|quadmath|opencv_|jni).*\\.so.*");

    private record Result(int exit, String output) {}

    private static Result probe(String mode, Path cache) throws Exception {
        return probe(mode, cache, foreignLibs.toString());
    }

    private static Result probe(String mode, Path cache, String libraryPath) throws Exception {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow",
                "-Dorg.bytedeco.javacpp.cachedir=" + cache, "-cp", System.getProperty("java.class.path"),
                LoadProbe.class.getName(), mode));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (libraryPath != null) pb.environment().put("LD_LIBRARY_PATH", libraryPath);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(5, TimeUnit.MINUTES)) p.destroyForcibly();
        return new Result(p.exitValue(), out);
    }
}
