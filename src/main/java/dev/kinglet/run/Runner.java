package dev.kinglet.run;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.kinglet.data.Datasets;
import dev.kinglet.data.ImageSet;
import dev.kinglet.data.Splits;
import dev.kinglet.dsl.FixMatch;
import dev.kinglet.dsl.PseudoLabel;
import dev.kinglet.dsl.Recipe;
import dev.kinglet.dsl.RecipeException;
import dev.kinglet.dsl.RecipeIo;
import dev.kinglet.model.Network;
import dev.kinglet.natives.Device;
import dev.kinglet.natives.NativeRuntime;
import dev.kinglet.natives.Normalization;
import dev.kinglet.natives.TensorMemory;
import dev.kinglet.train.Callback;
import dev.kinglet.train.CosineObjective;
import dev.kinglet.train.Evaluation;
import dev.kinglet.train.Learner;
import dev.kinglet.tune.Tuning;
import tools.jackson.databind.JsonNode;

/**
 * Runs a recipe's plan: every job trains on its fold and subset, validates each epoch, and is
 * tested once on the fixed test split. The run directory {@code <out>/<recipe>/<timestamp>/}
 * holds {@code recipe.json}, {@code provenance.json}, {@code plan.json} (each job's state:
 * pending, running, done, failed), {@code results.json} (per variant and point: mean, standard
 * deviation and 95% interval of test accuracy), {@code run.log}, and per job
 * {@code jobs/<id>/} with {@code metrics.jsonl}, {@code results.json}, and {@code model.pth} + {@code model.json} (see {@link ModelFiles}).
 * A recipe with {@code tune} is searched first ({@link Tuning}: {@code tune/<variant>/<point>/}).
 * Every file but the append-only logs is written whole or not at all. A failed job does not
 * stop the others; {@code --resume} reruns what is not done. With {@link Options#workers()} the
 * jobs run in worker processes at once ({@link Workers}).
 */
public final class Runner {
    /** Files of a run directory the report reads besides the jobs' own. */
    public static final String NOTICES = "notices.json", AUGMENT_PREVIEW = "augment-preview.png", TUNING = "tune/summary.json";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT);

    private Runner() {}

    /**
     * @param outRoot   where run directories go ({@code ./runs} by default)
     * @param dataBase  what relative data paths are resolved against (the working directory)
     * @param extra     callbacks added to every job's loop, e.g. by tests
     */
    /**
     * @param workers  the devices of the worker processes that run the jobs at once, one process
     *                 per entry (e.g. {@code [cpu, cpu]} or {@code [cuda:0, cuda:1]}); empty: the
     *                 jobs run one after another in this process on {@code device}
     */
    public record Options(Path outRoot, Path dataBase, Device device, int threads, PrintStream out, boolean terminal,
                          List<Callback> extra, List<Device> workers) {
        public Options {
            workers = List.copyOf(workers);
        }

        public static Options defaults(PrintStream out) {
            return new Options(Path.of("runs"), Path.of(""), Device.AUTO, NativeRuntime.defaultThreads(), out,
                    Progress.stdoutIsTerminal(), List.of(), List.of());
        }

        public Options withOutRoot(Path p) { return new Options(p, dataBase, device, threads, out, terminal, extra, workers); }
        public Options withDevice(Device d) { return new Options(outRoot, dataBase, d, threads, out, terminal, extra, workers); }
        public Options withThreads(int t) { return new Options(outRoot, dataBase, device, t, out, terminal, extra, workers); }
        public Options withDataBase(Path p) { return new Options(outRoot, p, device, threads, out, terminal, extra, workers); }
        public Options withCallbacks(List<Callback> c) { return new Options(outRoot, dataBase, device, threads, out, terminal, c, workers); }
        public Options withOut(PrintStream o) { return new Options(outRoot, dataBase, device, threads, o, terminal, extra, workers); }
        public Options withWorkers(List<Device> w) { return new Options(outRoot, dataBase, device, threads, out, terminal, extra, w); }
    }

    /** Outcome of one job; a regression job has {@code testR2} (mean over its targets) instead of {@code testAccuracy}. */
    public record JobResult(String id, String state, Double testAccuracy, Double testLoss, Double trainSeconds, String error, Double testR2) {
        public JobResult(String id, String state, Double testAccuracy, Double testLoss, Double trainSeconds, String error) {
            this(id, state, testAccuracy, testLoss, trainSeconds, error, null);
        }

        /** The metric a run summarises: test accuracy, or R² for regression. */
        Double metric() {
            return testAccuracy != null ? testAccuracy : testR2;
        }
    }

    public record Result(Path runDir, List<JobResult> jobs, Map<String, Stats.Summary> summary) {
        public List<JobResult> failed() {
            return jobs.stream().filter(j -> j.state().equals("failed")).toList();
        }
    }

    /** Refuses a recipe that asks for what this engine does not run, naming every path at once. */
    public static Support.Findings checkSupported(Recipe recipe, Plan plan) {
        List<String> errors = new ArrayList<>(), notices = new ArrayList<>();
        plan.skipped().forEach((name, why) -> notices.add("variant " + name + " " + why));
        for (var e : plan.variants().entrySet()) {
            var f = Support.check(e.getValue());
            String prefix = e.getKey().equals("base") ? "" : "variant " + e.getKey() + ": ";
            f.errors().forEach(m -> errors.add(prefix + m));
            if (e.getKey().equals("base")) notices.addAll(f.notices());
        }
        return new Support.Findings(errors, notices);
    }

    public static Result run(Recipe recipe, Options o) throws IOException {
        Path dir = newRunDir(o.outRoot().resolve(recipe.name()));
        linkLatest(dir);
        return execute(recipe, dir, o, Map.of());
    }

    /** Continues the run in {@code dir}: jobs already done are kept, the others run again. */
    public static Result resume(Path dir, Options o) throws IOException {
        Path recipeFile = dir.resolve("recipe.json");
        if (!Files.isRegularFile(recipeFile)) throw new RecipeException("--resume", dir + " is not a run directory (no recipe.json)");
        Recipe recipe = RecipeIo.fromJson(Files.readString(recipeFile), recipeFile.toString());
        Map<String, JobResult> done = new HashMap<>();
        Path planFile = dir.resolve("plan.json");
        if (Files.isRegularFile(planFile)) {
            for (JsonNode j : Json.PRETTY.readTree(planFile.toFile()).get("jobs")) {
                JobResult r = recorded(dir, j);
                if (r.state().equals("done")) done.put(r.id(), r);
            }
        }
        return execute(recipe, dir, o, done);
    }

    private static Result execute(Recipe recipe, Path dir, Options o, Map<String, JobResult> done) throws IOException {
        Plan plan = Plan.of(recipe, o.dataBase());
        Support.Findings findings = checkSupported(recipe, plan);
        findings.throwIfRefused();
        NativeRuntime.Info info = NativeRuntime.start(o.threads(), recipe.seed(), o.device());
        try (var log = new PrintStream(new FileOutputStream(dir.resolve("run.log").toFile(), true), true, StandardCharsets.UTF_8);
             var out = new PrintStream(new Tee(o.out(), log), true, StandardCharsets.UTF_8);
             var data = new DataCache(o.dataBase())) {
            Datasets.Split base = data.get(recipe.data(), recipe.seed());
            Recipe chosen = Plan.chooseSplit(recipe, base.train(), out);
            if (chosen != recipe) {
                recipe = chosen; // recipe.json records the choice: a resumed run and its workers plan the same jobs
                plan = Plan.of(recipe, o.dataBase());
                checkSupported(recipe, plan).throwIfRefused(); // e.g. early stopping without validation images
            }
            String recipeJson = RecipeIo.toJson(recipe);
            AtomicFiles.writeString(dir.resolve("recipe.json"), recipeJson);
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
            AtomicFiles.writeString(dir.resolve(NOTICES), Json.PRETTY.writeValueAsString(findings.notices()));
            if (!recipe.augment().train().isEmpty() && !Files.exists(dir.resolve(AUGMENT_PREVIEW))) {
                Path tmp = dir.resolve(AUGMENT_PREVIEW + ".partial.png");
                Preview.write(recipe, base.train(), 8, 7, tmp);
                Files.move(tmp, dir.resolve(AUGMENT_PREVIEW), java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            BaselineRuns.run(recipe, plan, base, dir, o, info.device(), out);
            Tuning tuning = Tuning.run(plan, dir, data::get, info, o, out);

            Map<String, JobResult> results = new LinkedHashMap<>();
            for (Plan.Job job : plan.jobs()) results.put(job.id(), done.getOrDefault(job.id(), new JobResult(job.id(), "pending", null, null, null, null)));
            writePlan(dir, plan, results);
            Map<String, Pretraining.Encoder> encoders = Pretraining.ensureAll(plan, data::get, dir, o.dataBase(), info.device(), out);
            List<Plan.Job> pending = new ArrayList<>();
            for (Plan.Job job : plan.jobs()) {
                if (done.containsKey(job.id())) out.println("job " + job.id() + ": done in an earlier session, kept");
                else pending.add(job);
            }
            if (o.workers().size() > 1 && pending.size() > 1) {
                for (Plan.Job job : pending) results.put(job.id(), new JobResult(job.id(), "running", null, null, null, null));
                writePlan(dir, plan, results);
                results.putAll(Workers.run(dir, pending, o, out));
                writePlan(dir, plan, results);
            } else {
                for (Plan.Job job : pending) {
                    results.put(job.id(), new JobResult(job.id(), "running", null, null, null, null));
                    writePlan(dir, plan, results);
                    results.put(job.id(), runOne(tuning.recipe(plan, job), job, data, dir, info, o, out, log, encoders.get(job.variant())));
                    writePlan(dir, plan, results);
                }
            }
            combineEnsembles(plan, results, dir, data, out);
            if (!tuning.isEmpty()) AtomicFiles.writeString(dir.resolve(TUNING), Json.PRETTY.writeValueAsString(tuning.summary()));
            var report = dev.kinglet.report.RunReport.write(dir);
            report.print(out);
            Map<String, Stats.Summary> summary = report.testAccuracy();
            return new Result(dir, List.copyOf(results.values()), summary);
        }
    }

    /**
     * The jobs {@code ids} of the run in {@code dir}, for a worker process ({@link Workers}): the
     * run's searches and pre-training are done (this process only reads them); each job's outcome
     * goes to {@code jobs/<id>/outcome.json}, where the process that started the run collects it.
     */
    public static void runJobs(Path dir, List<String> ids, Options o) throws IOException {
        Path recipeFile = dir.resolve("recipe.json");
        if (!Files.isRegularFile(recipeFile)) throw new RecipeException("run-jobs", dir + " is not a run directory (no recipe.json)");
        Recipe recipe = RecipeIo.fromJson(Files.readString(recipeFile), recipeFile.toString());
        Plan plan = Plan.of(recipe, o.dataBase());
        Map<String, Plan.Job> byId = new LinkedHashMap<>();
        plan.jobs().forEach(j -> byId.put(j.id(), j));
        for (String id : ids) if (!byId.containsKey(id)) throw new IllegalArgumentException("job " + id + " is not in the plan of " + dir);
        NativeRuntime.Info info = NativeRuntime.start(o.threads(), recipe.seed(), o.device());
        PrintStream out = o.out();
        try (var data = new DataCache(o.dataBase())) {
            out.printf(Locale.ROOT, "worker %d: %d job(s) of %s on %s (%d threads)%n", ProcessHandle.current().pid(), ids.size(), dir, info.device(), info.threads());
            Tuning tuning = Tuning.run(plan, dir, data::get, info, o, out);
            Map<String, Pretraining.Encoder> encoders = Pretraining.ensureAll(plan, data::get, dir, o.dataBase(), info.device(), out);
            for (String id : ids) {
                Plan.Job job = byId.get(id);
                runOne(tuning.recipe(plan, job), job, data, dir, info, o, out, out, encoders.get(job.variant()));
            }
        }
    }

    /** Runs one job; a failure is its result, with the trace in {@code log}. Its outcome is also written to {@code jobs/<id>/outcome.json}. */
    private static JobResult runOne(Recipe r, Plan.Job job, DataCache data, Path dir, NativeRuntime.Info info, Options o,
                                    PrintStream out, PrintStream log, Pretraining.Encoder encoder) throws IOException {
        Path jobDir = dir.resolve("jobs").resolve(job.id());
        Files.deleteIfExists(jobDir.resolve(OUTCOME));
        JobResult result;
        try {
            result = runJob(r, job, data, jobDir, info, o, out, encoder);
        } catch (RuntimeException | IOException e) {
            StringWriter trace = new StringWriter();
            e.printStackTrace(new PrintWriter(trace));
            log.println(trace);
            out.println("job " + job.id() + " failed: " + e.getMessage() + " (full trace in " + (log == out ? "this log" : dir.resolve("run.log")) + ")");
            result = new JobResult(job.id(), "failed", null, null, null, String.valueOf(e.getMessage()));
        }
        Files.createDirectories(jobDir);
        AtomicFiles.writeString(jobDir.resolve(OUTCOME), Json.PRETTY.writeValueAsString(result));
        return result;
    }

    /** ", of which validation 3.1 s (12 times)" for the job line; nothing without validation. */
    static String validationCost(dev.kinglet.train.TrainState s) {
        return s.validations() == 0 ? "" : String.format(Locale.ROOT, ", of which validation %.1f s (%d time%s)", s.validationSeconds(), s.validations(), s.validations() == 1 ? "" : "s");
    }

    /** Where a job's outcome is kept, as in plan.json. */
    static final String OUTCOME = "outcome.json";

    /**
     * The state of the job of {@code planEntry} (an element of plan.json's jobs) in run {@code dir}:
     * the outcome the job recorded, if any, else plan.json's. A worker records its job's outcome
     * before the run collects it into plan.json, so this counts what workers finished in a run
     * that was killed.
     */
    public static JobResult recorded(Path dir, JsonNode planEntry) throws IOException {
        var outcome = readOutcome(dir.resolve("jobs").resolve(planEntry.get("id").asString()));
        return outcome.isPresent() ? outcome.get() : Json.PRETTY.treeToValue(planEntry, JobResult.class);
    }

    /** The outcome a job recorded in {@code jobDir}, if it finished (done or failed). */
    static java.util.Optional<JobResult> readOutcome(Path jobDir) throws IOException {
        Path f = jobDir.resolve(OUTCOME);
        if (!Files.isRegularFile(f)) return java.util.Optional.empty();
        return java.util.Optional.of(Json.PRETTY.readValue(f.toFile(), JobResult.class));
    }

    private static JobResult runJob(Recipe r, Plan.Job job, DataCache data, Path jobDir, NativeRuntime.Info info, Options o,
                                    PrintStream out, Pretraining.Encoder encoder) throws IOException {
        if (encoder != null && encoder.isFailed()) throw new IllegalStateException(encoder.failure());
        Files.createDirectories(jobDir);
        java.util.Optional<Checkpoints.Saved> checkpoint = r.output().checkpoints() ? Checkpoints.read(jobDir) : java.util.Optional.empty();
        if (checkpoint.isPresent()) {
            keepMetricsThrough(jobDir.resolve("metrics.jsonl"), checkpoint.get().epoch());
        } else {
            Files.deleteIfExists(jobDir.resolve("metrics.jsonl")); // a job rerun by --resume starts its log again
            Checkpoints.delete(jobDir);
        }
        Datasets.Split split = data.get(r.data(), r.seed());
        try (JobData d = jobData(r, split, job); SelfTraining.Student student = r.semiSupervised() instanceof PseudoLabel p
                ? SelfTraining.run(r, p, job, d, split, jobDir, o.dataBase(), info.device(), out, o.terminal(), encoder) : null) {
            ImageSet validation = d.validation();
            ImageSet train = student == null ? d.train() : student.train();
            out.printf(Locale.ROOT, "job %s: %d training%s, %d validation, %d test images%n", job.id(), train.size(),
                    student == null ? "" : " (" + d.train().size() + " labelled" + labelledTimes(student, d) + ", " + student.outcome().positions().length + " pseudo-labelled)",
                    validation.size(), split.test().size());
            try (Training t = Training.open(r, train, validation, split.train().classes(), job.initSeed(), o.dataBase(), info.device(), out, o.terminal(),
                    job.id(), encoder);
                 FixMatchJob fixMatch = r.semiSupervised() instanceof FixMatch f ? FixMatchJob.attach(r, f, t, job, d, split, o.dataBase(), out) : null) {
                Learner learner = t.learner();
                Network net = t.net();
                CosineObjective objective = t.objective();
                Normalization norm = t.norm();
                int[] size = t.size();
                var px = train.pixels();
                var description = split.train().isRegression()
                        ? new ModelFiles.Description(r.model(), List.of(), px.channels(), size[0], size[1], t.repeatGray(), norm, null, split.train().targetNames())
                        : new ModelFiles.Description(r.model(), split.train().classes(), px.channels(), size[0], size[1], t.repeatGray(), norm,
                        objective == null ? null : new ModelFiles.Cosine(t.lambda(), TensorMemory.toFloats(objective.classEmbeddings()), objective.dim()));
                try (Techniques techniques = Techniques.attach(r, learner, jobDir, validation.size(), split.test(), description, checkpoint.isPresent())) {
                learner.add(new Progress(out, o.terminal())).add(new MetricsLog(jobDir.resolve("metrics.jsonl")));
                o.extra().forEach(learner::add);
                if (r.output().checkpoints()) learner.add(new Checkpoints(jobDir, learner));
                if (checkpoint.isPresent()) {
                    Checkpoints.Saved c = checkpoint.get();
                    out.println("job " + job.id() + ": resuming after epoch " + c.epoch() + " from " + c.weights().getFileName());
                    learner.resumeAfter(c.epoch(), c.step(), () -> Checkpoints.restore(c, learner));
                }
                t.fit();
                double seconds = learner.state().fitSeconds();
                techniques.finish();
                if (split.train().isRegression()) {
                    return RegressionJobs.finish(learner, split.test(), job, jobDir, description, r.output().saveModels(), seconds, techniques.results(), out);
                }
                Evaluation test = learner.evaluate(split.test());
                Evaluation plainTest = null;
                var tta = r.augment().tta();
                if (tta.views() > 0) {
                    int[] ttaSize = t.pipes().tta().outputSize(px.height(), px.width());
                    if (ttaSize[0] != size[0] || ttaSize[1] != size[1]) {
                        throw new RecipeException("augment.tta.ops", "end at " + ttaSize[0] + "x" + ttaSize[1] + " but the model sees " + size[0] + "x" + size[1]);
                    }
                    plainTest = test;
                    test = learner.evaluateWithTta(split.test(), t.pipes().tta(), tta.views(), tta.plainWeight());
                    out.printf(Locale.ROOT, "job %s: test accuracy without TTA %.2f%%, with %d views %.2f%%%n", job.id(),
                            100 * plainTest.accuracy(), tta.views(), 100 * test.accuracy());
                }
                if (r.output().saveModels()) ModelFiles.save(jobDir, net, description);
                test = techniques.test(test, job.id(), out);
                Ensembles.saveProbabilities(jobDir, test.probabilities());
                Checkpoints.delete(jobDir); // the job is done: its model is saved, nothing left to resume
                var details = jobResults(job, net, test, seconds, norm, train.size());
                if (plainTest != null) {
                    details.put("testAccuracyWithoutTta", plainTest.accuracy());
                    details.put("tta", Map.of("views", tta.views(), "plainWeight", tta.plainWeight()));
                }
                details.putAll(techniques.results());
                if (student != null) details.put("semiSupervised", student.outcome().summary(d.train().size()));
                if (fixMatch != null) details.put("semiSupervised", fixMatch.summary());
                AtomicFiles.writeString(jobDir.resolve("results.json"), Json.PRETTY.writeValueAsString(details));
                out.printf(Locale.ROOT, "job %s: test accuracy %.2f%% (%d images), loss %.4f, trained in %.1f s%s%s%n",
                        job.id(), 100 * test.accuracy(), test.images(), test.loss(), seconds, validationCost(learner.state()),
                        fixMatch == null ? "" : fixMatch.summaryLine());
                return new JobResult(job.id(), "done", test.accuracy(), test.loss(), seconds, null);
                }
            }
        }
    }

    /** " x10" when the student sees each labelled image 10 times (semiSupervised.labelledShare), else nothing. */
    private static String labelledTimes(SelfTraining.Student student, JobData d) {
        int repeats = student.outcome().settings().labelledRepeats(d.train().size(), student.outcome().positions().length);
        return repeats == 1 ? "" : " x" + repeats;
    }

    /**
     * The labelled images of one job: its fold's validation part, and its subset of the fold's
     * training part ({@code train}, the images at positions {@code subset} of {@code trainPart}).
     */
    record JobData(ImageSet trainPart, ImageSet validation, ImageSet train, int[] subset) implements AutoCloseable {
        @Override
        public void close() {
            train.close();
            validation.close();
            trainPart.close();
        }
    }

    /** The images {@code job} trains and validates on; they depend on its fold and seed only, never on its variant or member. */
    static JobData jobData(Recipe r, Datasets.Split split, Plan.Job job) {
        int strata = split.train().strata();
        Splits.Fold fold = Splits.fold(r.data().split(), split.train().labels(), strata, job.fold(), job.splitSeed());
        ImageSet trainPart = split.train().select(fold.train());
        ImageSet validation = split.train().select(fold.validation());
        int[] subset = Splits.subset(job.subset(), trainPart.labels(), strata, job.subsetSeed());
        return new JobData(trainPart, validation, trainPart.select(subset), subset);
    }


    private static Map<String, Object> jobResults(Plan.Job job, Network net, Evaluation test, double seconds, Normalization norm, int trainImages) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("job", job);
        r.put("testAccuracy", test.accuracy());
        r.put("testLoss", test.loss());
        r.put("testImages", test.images());
        Map<String, Double> perClass = new LinkedHashMap<>();
        double[] acc = test.perClassAccuracy();
        for (int i = 0; i < acc.length; i++) perClass.put(test.classes().get(i), acc[i]);
        r.put("testAccuracyPerClass", perClass);
        r.put("confusion", test.confusion());
        r.put("test", test.metrics());
        r.put("trainImages", trainImages);
        r.put("trainSeconds", seconds);
        r.put("parameters", net.parameterCount());
        r.put("normalization", Map.of("mean", norm.mean(), "std", norm.std()));
        return r;
    }

    private static void writePlan(Path dir, Plan plan, Map<String, JobResult> results) throws IOException {
        List<Map<String, Object>> jobs = new ArrayList<>();
        for (Plan.Job job : plan.jobs()) {
            Map<String, Object> m = new LinkedHashMap<>();
            JobResult r = results.get(job.id());
            m.put("id", job.id());
            m.put("state", r.state());
            m.put("testAccuracy", r.testAccuracy());
            m.put("testLoss", r.testLoss());
            if (r.testR2() != null) m.put("testR2", r.testR2());
            m.put("trainSeconds", r.trainSeconds());
            m.put("error", r.error());
            m.put("job", job);
            jobs.add(m);
        }
        AtomicFiles.writeString(dir.resolve("plan.json"), Json.PRETTY.writeValueAsString(Map.of("summary", plan.summary(), "jobs", jobs)));
    }

    static String ensembleId(Plan.Job job) {
        return job.id().substring(0, job.id().lastIndexOf(".m"));
    }

    /** Averages the members of every ensemble whose members are all done. */
    private static void combineEnsembles(Plan plan, Map<String, JobResult> results, Path dir, DataCache data,
                                                                  PrintStream out) throws IOException {
        Map<String, List<Plan.Job>> groups = new LinkedHashMap<>();
        for (Plan.Job job : plan.jobs()) {
            if (plan.variants().get(job.variant()).ensemble().members() > 1) groups.computeIfAbsent(ensembleId(job), k -> new ArrayList<>()).add(job);
        }
        for (var e : groups.entrySet()) {
            if (!e.getValue().stream().allMatch(j -> "done".equals(results.get(j.id()).state()))) {
                out.println("ensemble " + e.getKey() + ": not combined, some members did not finish");
                continue;
            }
            Recipe r = plan.variants().get(e.getValue().get(0).variant());
            ImageSet test = data.get(r.data(), r.seed()).test();
            var res = Ensembles.combine(dir, e.getKey(), e.getValue().stream().map(Plan.Job::id).toList(), test.labels(), test.classes());
            out.printf(Locale.ROOT, "ensemble %s: test accuracy %.2f%% (members %s), mean entropy %.3f, disagreement %.3f%n", e.getKey(),
                    100 * res.accuracy(), res.memberAccuracies().stream().map(a -> String.format(Locale.ROOT, "%.2f", 100 * a)).toList(),
                    res.meanEntropy(), res.meanDisagreement());
        }
    }

    /** Keeps the lines of epochs up to {@code epoch} (a job resumed from its checkpoint logs the rest again). */
    private static void keepMetricsThrough(Path file, int epoch) throws IOException {
        if (!Files.isRegularFile(file)) return;
        StringBuilder kept = new StringBuilder();
        for (String line : Files.readAllLines(file)) {
            if (line.isBlank()) continue;
            try {
                if (Json.LINE.readTree(line).get("epoch").asInt() <= epoch) kept.append(line).append('\n');
            } catch (RuntimeException torn) {
                // a line cut off by the kill: dropped
            }
        }
        AtomicFiles.writeString(file, kept.toString());
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
            Files.move(tmp, latest, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (UnsupportedOperationException | IOException e) {
            Files.deleteIfExists(tmp); // a file system without symbolic links: no shortcut, the run itself is unaffected
        }
    }

    private static Path newRunDir(Path recipeDir) throws IOException {
        Files.createDirectories(recipeDir);
        String stamp = LocalDateTime.now().format(STAMP);
        for (int i = 0; i < 100; i++) {
            Path dir = recipeDir.resolve(i == 0 ? stamp : stamp + "-" + i);
            try {
                return Files.createDirectory(dir);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // another run started in the same second; take the next suffix
            }
        }
        throw new IOException("could not create a run directory in " + recipeDir + " (100 names taken)");
    }

    /** Data sets loaded once per run, shared by the jobs (and variants) that read the same source. */
    private static final class DataCache implements AutoCloseable {
        private final Path base;
        private final Map<List<Object>, Datasets.Split> loaded = new HashMap<>();

        DataCache(Path base) {
            this.base = base;
        }

        /** The split of {@code data}'s source, size, channels and test share (not its validation split or subset). */
        Datasets.Split get(dev.kinglet.dsl.Data data, long seed) throws IOException {
            List<Object> key = List.of(data.source(), data.imageSize(), String.valueOf(data.channels()), data.testFraction(), data.classes(), seed);
            Datasets.Split s = loaded.get(key);
            if (s == null) loaded.put(key, s = Datasets.load(data, base, seed));
            return s;
        }

        @Override
        public void close() {
            loaded.values().forEach(Datasets.Split::close);
        }
    }

    /** Writes to the console and to run.log. */
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
