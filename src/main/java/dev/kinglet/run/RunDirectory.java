package dev.kinglet.run;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

import dev.kinglet.data.Datasets;
import dev.kinglet.dsl.Recipe;
import dev.kinglet.dsl.RecipeIo;
import dev.kinglet.natives.NativeRuntime;
import dev.kinglet.rundir.RunFiles;
import dev.kinglet.util.AtomicFiles;
import dev.kinglet.util.Json;

/**
 * Creating a run directory ({@code <out>/<recipe>/<timestamp>/}, with the {@code latest} link
 * beside it) and the files written once at its start: the recipe as run, provenance, notices,
 * skipped files and the augmentation preview.
 */
final class RunDirectory {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT);

    private RunDirectory() {}

    static Path create(Path recipeDir) throws IOException {
        Files.createDirectories(recipeDir);
        String stamp = LocalDateTime.now().format(STAMP);
        for (int i = 0; i < 100; i++) {
            Path dir = recipeDir.resolve(i == 0 ? stamp : stamp + "-" + i);
            try {
                Path created = Files.createDirectory(dir);
                linkLatest(created);
                return created;
            } catch (FileAlreadyExistsException e) {
                // another run started in the same second; take the next suffix
            }
        }
        throw new IOException("could not create a run directory in " + recipeDir + " (100 names taken)");
    }

    /**
     * Points {@code <out>/<recipe>/latest} at the newest run directory, replaced atomically, so a
     * recipe can name the files of another recipe's last run (e.g. its weights).
     */
    private static void linkLatest(Path dir) throws IOException {
        Path latest = dir.resolveSibling("latest"), tmp = dir.resolveSibling(".latest." + ProcessHandle.current().pid());
        try {
            Files.deleteIfExists(tmp);
            Files.createSymbolicLink(tmp, dir.getFileName());
            Files.move(tmp, latest, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (UnsupportedOperationException | IOException e) {
            Files.deleteIfExists(tmp); // a file system without symbolic links: no shortcut, the run itself is unaffected
        }
    }

    /** recipe.json, provenance.json, notices.json, skipped.txt and the augmentation preview, with their console lines. */
    static void writeHeader(Path dir, Recipe recipe, Plan plan, Datasets.Split base, NativeRuntime.Info info, Support.Findings findings, PrintStream out)
            throws IOException {
        String recipeJson = RecipeIo.toJson(recipe);
        AtomicFiles.writeString(dir.resolve(RunFiles.RECIPE), recipeJson);
        if (!base.conversion().isEmpty()) out.println("  data: " + base.conversion());
        if (!base.skipped().isEmpty()) {
            out.println("  skipped (data.skipBadFiles): " + base.skipped().size() + " file(s) left out, listed in " + dir.resolve("skipped.txt"));
            base.skipped().stream().limit(10).forEach(sk -> out.println("    " + sk));
            AtomicFiles.writeString(dir.resolve("skipped.txt"), String.join("\n", base.skipped()) + "\n");
        }
        if (!base.duplicates().isEmpty()) {
            out.println("  notice: " + base.duplicates().size() + " test image(s) have the content of a training image, e.g. " + base.duplicates().get(0));
        }
        Provenance provenance = Provenance.of(info, recipe.seed(), base.train().sha256(), base.test().sha256(), Datasets.digest(recipeJson.getBytes(StandardCharsets.UTF_8)));
        AtomicFiles.writeString(dir.resolve("provenance.json"), Json.PRETTY.writeValueAsString(provenance));
        out.printf(Locale.ROOT, "%s: %s on %s (%d threads)%n  run directory %s%n", recipe.name(), plan.summary(), info.device(), info.threads(), dir);
        findings.notices().forEach(n -> out.println("  notice: " + n));
        AtomicFiles.writeString(dir.resolve(RunFiles.NOTICES), Json.PRETTY.writeValueAsString(findings.notices()));
        if (!recipe.augment().train().isEmpty() && !recipe.data().table() && !Files.exists(dir.resolve(RunFiles.AUGMENT_PREVIEW))) {
            Path tmp = dir.resolve(RunFiles.AUGMENT_PREVIEW + ".partial.png");
            Preview.write(recipe, base.train(), 8, 7, tmp);
            Files.move(tmp, dir.resolve(RunFiles.AUGMENT_PREVIEW), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** The console of a run: {@code out} to the console and a log file, {@code log} to the file only (for stack traces). */
    record Console(PrintStream out, PrintStream log) implements AutoCloseable {
        static Console open(PrintStream console, Path file) throws IOException {
            var log = new PrintStream(Files.newOutputStream(file, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND), true, StandardCharsets.UTF_8);
            return new Console(new PrintStream(new Tee(console, log), true, StandardCharsets.UTF_8), log);
        }

        @Override
        public void close() {
            out.flush();
            log.close();
        }
    }

    /** Writes to the console and to a log file; closing it leaves the console open. */
    private static final class Tee extends OutputStream {
        private final OutputStream a, b;

        Tee(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override public void write(int x) throws IOException { a.write(x); b.write(x); }
        @Override public void write(byte[] buf, int off, int len) throws IOException { a.write(buf, off, len); b.write(buf, off, len); }
        @Override public void flush() throws IOException { a.flush(); b.flush(); }
        @Override public void close() throws IOException { flush(); }
    }
}
