package dev.kinglet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's Python with torch and torchvision, for fixtures too large to commit and for checks
 * that Python reads what Kinglet writes. Never a runtime dependency of Kinglet; a test that needs
 * it fails (not skips) when it is missing, saying what to install.
 */
public final class Python {
    public static final Path EXE = Path.of("/usr/bin/python3");
    private static final String INSTALL = "apt-get install --no-install-recommends python3-torch python3-torchvision";

    private Python() {}

    /** Runs {@code script args...} and returns its standard output; fails with its output when it exits non-zero. */
    public static String run(Path script, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(EXE.toString(), script.toString()));
        cmd.addAll(List.of(args));
        return exec(cmd);
    }

    /** Runs Python code given inline. */
    public static String code(String code, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(EXE.toString(), "-c", code));
        cmd.addAll(List.of(args));
        return exec(cmd);
    }

    private static String exec(List<String> cmd) throws IOException, InterruptedException {
        if (!Files.isExecutable(EXE)) throw new IllegalStateException(EXE + " not found; this test needs Debian's torch: " + INSTALL);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(10, TimeUnit.MINUTES)) p.destroyForcibly();
        if (p.exitValue() != 0) {
            String hint = out.contains("No module named 'torch") ? "\nthis test needs Debian's torch: " + INSTALL : "";
            throw new IllegalStateException(String.join(" ", cmd.subList(0, Math.min(3, cmd.size()))) + " failed (" + p.exitValue() + "):\n" + out + hint);
        }
        return out;
    }

    /** TorchVision model fixtures, made once per build into target/model-fixtures by test-data/models/make-model-fixtures.py. */
    public static synchronized Path modelFixtures() throws IOException, InterruptedException {
        Path dir = Path.of("target/model-fixtures").toAbsolutePath(), manifest = dir.resolve("manifest.json");
        Path script = TestData.root().resolve("test-data/models/make-model-fixtures.py");
        // made again when the script changed since (the manifest is written last)
        if (!Files.isRegularFile(manifest) || Files.getLastModifiedTime(script).compareTo(Files.getLastModifiedTime(manifest)) > 0) {
            run(script, dir.toString());
        }
        return dir;
    }
}
