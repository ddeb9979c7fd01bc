package dev.kinglet.run;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.bytedeco.pytorch.OutputArchive;

import dev.kinglet.data.Datasets;
import dev.kinglet.dsl.Recipe;
import dev.kinglet.dsl.RecipeIo;
import dev.kinglet.model.Network;
import dev.kinglet.natives.Device;
import dev.kinglet.natives.NativeRuntime;
import dev.kinglet.natives.Normalization;
import dev.kinglet.train.Callback;
import dev.kinglet.train.Evaluation;
import dev.kinglet.train.Learner;

/**
 * Runs a recipe end to end: data, model, training, test evaluation, and a run directory
 * {@code <out>/<recipe>/<timestamp>/} holding {@code recipe.json}, {@code provenance.json},
 * {@code metrics.jsonl}, {@code results.json} and {@code model.pt}. Every file but the
 * append-only metrics log is written whole or not at all.
 */
public final class Runner {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT);

    private Runner() {}

    /**
     * @param outRoot   where run directories go ({@code ./runs} by default)
     * @param dataBase  what relative data paths are resolved against (the working directory)
     * @param extra     callbacks added to the loop, e.g. by tests
     */
    public record Options(Path outRoot, Path dataBase, Device device, int threads, PrintStream out, boolean terminal,
                          List<Callback> extra) {
        public static Options defaults(PrintStream out) {
            return new Options(Path.of("runs"), Path.of(""), Device.AUTO, NativeRuntime.defaultThreads(), out,
                    Progress.stdoutIsTerminal(), List.of());
        }

        public Options withOutRoot(Path p) { return new Options(p, dataBase, device, threads, out, terminal, extra); }
        public Options withDevice(Device d) { return new Options(outRoot, dataBase, d, threads, out, terminal, extra); }
        public Options withThreads(int t) { return new Options(outRoot, dataBase, device, t, out, terminal, extra); }
        public Options withDataBase(Path p) { return new Options(outRoot, p, device, threads, out, terminal, extra); }
        public Options withCallbacks(List<Callback> c) { return new Options(outRoot, dataBase, device, threads, out, terminal, c); }
    }

    public record Result(Path runDir, Evaluation test, double trainSeconds) {}

    public static Result run(Recipe recipe, Options o) throws IOException {
        NativeRuntime.Info info = NativeRuntime.start(o.threads(), recipe.seed(), o.device());
        try (Datasets.Split data = Datasets.load(recipe.data().source(), o.dataBase())) {
            String recipeJson = RecipeIo.toJson(recipe);
            Path dir = newRunDir(o.outRoot().resolve(recipe.name()));
            AtomicFiles.writeString(dir.resolve("recipe.json"), recipeJson);
            Provenance provenance = Provenance.of(info, recipe.seed(), data.train().sha256(), data.test().sha256(),
                    sha256(recipeJson));
            AtomicFiles.writeString(dir.resolve("provenance.json"), Json.PRETTY.writeValueAsString(provenance));
            o.out().printf(Locale.ROOT, "%s: %d training and %d test images, %d classes, %s on %s (%d threads)%n  run directory %s%n",
                    recipe.name(), data.train().size(), data.test().size(), data.train().numClasses(),
                    recipe.model().getClass().getSimpleName(), info.device(), info.threads(), dir);

            Normalization norm = data.train().statistics();
            NativeRuntime.seed(recipe.seed());
            var px = data.train().pixels();
            Network net = Network.build(recipe.model(), px.channels(), px.height(), px.width(), data.train().numClasses());
            try (net; Learner learner = new Learner(net, recipe.train().optimizer(), info.device(), data.train(), norm,
                    recipe.train().batchSize(), recipe.seed())) {
                learner.add(new Progress(o.out(), o.terminal())).add(new MetricsLog(dir.resolve("metrics.jsonl")));
                o.extra().forEach(learner::add);
                learner.fit(recipe.train().epochs());
                double seconds = learner.state().fitSeconds();
                Evaluation test = learner.evaluate(data.test(), 256);
                saveWeights(net, dir.resolve("model.pt"));
                AtomicFiles.writeString(dir.resolve("results.json"),
                        Json.PRETTY.writeValueAsString(results(recipe, net, test, seconds, norm)));
                o.out().printf(Locale.ROOT, "test accuracy %.2f%% (%d images), loss %.4f, trained in %.1f s%n",
                        100 * test.accuracy(), test.images(), test.loss(), seconds);
                return new Result(dir, test, seconds);
            }
        }
    }

    private static Map<String, Object> results(Recipe recipe, Network net, Evaluation test, double seconds, Normalization norm) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("recipe", recipe.name());
        r.put("testAccuracy", test.accuracy());
        r.put("testLoss", test.loss());
        r.put("testImages", test.images());
        Map<String, Double> perClass = new LinkedHashMap<>();
        double[] acc = test.perClassAccuracy();
        for (int i = 0; i < acc.length; i++) perClass.put(test.classes().get(i), acc[i]);
        r.put("testAccuracyPerClass", perClass);
        r.put("confusion", test.confusion());
        r.put("trainSeconds", seconds);
        r.put("parameters", net.parameterCount());
        r.put("normalization", Map.of("mean", norm.mean(), "std", norm.std()));
        return r;
    }

    /** Saves the module as a LibTorch archive ({@code torch.jit.load} reads it in Python), atomically. */
    static void saveWeights(Network net, Path file) throws IOException {
        Path tmp = AtomicFiles.temporarySibling(file);
        try (OutputArchive archive = new OutputArchive()) {
            net.save(archive);
            archive.save_to(tmp.toString());
        }
        AtomicFiles.commit(tmp, file);
    }

    private static Path newRunDir(Path recipeDir) throws IOException {
        Files.createDirectories(recipeDir);
        String stamp = LocalDateTime.now().format(STAMP);
        List<String> tried = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            String name = i == 0 ? stamp : stamp + "-" + i;
            tried.add(name);
            Path dir = recipeDir.resolve(name);
            try {
                return Files.createDirectory(dir);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // another run started in the same second; take the next suffix
            }
        }
        throw new IOException("could not create a run directory in " + recipeDir + " (tried " + tried.size() + " names)");
    }

    private static String sha256(String s) {
        try {
            var md = java.security.MessageDigest.getInstance("SHA-256");
            return java.util.HexFormat.of().formatHex(md.digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
