package dev.kinglet.run;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import dev.kinglet.baseline.BackboneExtractor;
import dev.kinglet.baseline.Baselines;
import dev.kinglet.data.Datasets;
import dev.kinglet.data.ImageSet;
import dev.kinglet.dsl.BackboneFeatures;
import dev.kinglet.dsl.Recipe;
import dev.kinglet.natives.Device;
import dev.kinglet.rundir.Job;
import dev.kinglet.util.AtomicFiles;
import dev.kinglet.util.Json;

/**
 * The recipe's baseline models, trained once per learning-curve point, fold and seed on exactly
 * the labelled images the deep jobs of that point, fold and seed train on, and tested on the same
 * test split. Each lands in {@code baselines/<point>.f<fold>.s<seed>.json} (kept by
 * {@code --resume}); the report compares every deep job with the best baseline on its own split.
 */
final class BaselineRuns {
    static final String DIR = "baselines";

    private BaselineRuns() {}

    /** The file of the baselines that share {@code job}'s point, fold and seed. */
    static String fileName(Job job) {
        return job.point() + ".f" + job.fold() + ".s" + job.seedIndex() + ".json";
    }

    /** With backbone features, the backbone is loaded once and encodes each image of the split once for every baseline of the run. */
    static void run(Recipe recipe, Plan plan, Datasets.Split split, Path runDir, Runner.Options o, Device device, PrintStream out) throws IOException {
        if (recipe.baseline().models().isEmpty()) return;
        if (split.train().isRegression()) {
            out.println("  notice: baselines are classifiers (random forest, logistic regression); a regression run has none");
            return;
        }
        Path dir = runDir.resolve(DIR);
        Files.createDirectories(dir);
        Set<String> seen = new LinkedHashSet<>();
        List<Job> todo = new ArrayList<>();
        for (Job job : plan.jobs()) {
            if (!job.variant().equals("base") || !seen.add(fileName(job))) continue;
            if (Files.isRegularFile(dir.resolve(fileName(job)))) {
                out.println("baselines " + job.point() + ".f" + job.fold() + ".s" + job.seedIndex() + ": done in an earlier session, kept");
            } else {
                todo.add(job);
            }
        }
        if (todo.isEmpty()) return;
        BackboneExtractor backbone;
        try {
            backbone = recipe.baseline().features() instanceof BackboneFeatures f ? FrozenBackbone.open(f, split.train(), o.dataBase(), device, out, o.terminal()) : null;
        } catch (IOException | RuntimeException e) {
            out.println("baselines failed: " + e.getMessage() + "; the report shows them as missing");
            return;
        }
        try (backbone) {
            for (Job job : todo) runOne(recipe, job, split, dir.resolve(fileName(job)), backbone, out);
        }
    }

    private static void runOne(Recipe recipe, Job job, Datasets.Split split, Path file, BackboneExtractor backbone, PrintStream out) throws IOException {
        try (JobRunner.JobData images = JobRunner.jobData(recipe, split, job)) {
            ImageSet train = images.train();
            List<Baselines.Result> results = Baselines.run(recipe.baseline(), train, images.test(), job.subsetSeed(), backbone);
            List<Map<String, Object>> models = new ArrayList<>();
            for (Baselines.Result r : results) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", r.name());
                m.put("model", r.model());
                m.put("seconds", r.seconds());
                m.put("test", r.test().metrics());
                models.add(m);
                out.printf(Locale.ROOT, "baseline %s @ %s.f%d.s%d: test accuracy %.2f%% (%d training %s, %.1f s)%n", r.name(), job.point(),
                        job.fold(), job.seedIndex(), 100 * r.accuracy(), train.size(), train.isTable() ? "rows" : "images", r.seconds() + r.featureSeconds());
            }
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("point", job.point());
            json.put("fold", job.fold());
            json.put("seed", job.seedIndex());
            json.put("trainImages", train.size());
            json.put("features", dev.kinglet.dsl.RecipeIo.tree(recipe.baseline().features())); // with its type: pixels or backbone
            json.put("models", models);
            AtomicFiles.writeString(file, Json.PRETTY.writeValueAsString(json));
        } catch (RuntimeException e) {
            out.println("baselines " + fileName(job) + " failed: " + e.getMessage() + "; the report shows them as missing");
        }
    }
}
