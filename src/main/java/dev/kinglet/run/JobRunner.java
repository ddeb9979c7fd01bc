package dev.kinglet.run;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import dev.kinglet.data.Datasets;
import dev.kinglet.data.ImageSet;
import dev.kinglet.data.TableEncoder;
import dev.kinglet.data.Splits;
import dev.kinglet.dsl.FixMatch;
import dev.kinglet.dsl.PseudoLabel;
import dev.kinglet.dsl.Recipe;
import dev.kinglet.dsl.RecipeException;
import dev.kinglet.model.Network;
import dev.kinglet.natives.NativeRuntime;
import dev.kinglet.natives.Normalization;
import dev.kinglet.natives.TensorMemory;
import dev.kinglet.rundir.Job;
import dev.kinglet.rundir.JobResult;
import dev.kinglet.rundir.RunFiles;
import dev.kinglet.train.Evaluation;
import dev.kinglet.train.Learner;
import dev.kinglet.train.TrainState;
import dev.kinglet.util.AtomicFiles;
import dev.kinglet.util.Json;

/**
 * One job of a run, in named steps: claim it (a lock file, so two processes never train one
 * job), prepare its directory (resume from its checkpoint or start clean), load its images, train,
 * test (with TTA if asked), save its model and record its results and outcome. A failure is the
 * job's result, with the trace in the log; the other jobs go on.
 */
public final class JobRunner {
    static final String LOCK = "job.lock";

    private final DataCache data;
    private final Path runDir;
    private final NativeRuntime.Info info;
    private final Runner.Options o;
    private final PrintStream out, log;

    JobRunner(DataCache data, Path runDir, NativeRuntime.Info info, Runner.Options o, PrintStream out, PrintStream log) {
        this.data = data;
        this.runDir = runDir;
        this.info = info;
        this.o = o;
        this.out = out;
        this.log = log;
    }

    /**
     * Runs {@code job} unless another process holds its lock (then empty: that process runs it)
     * or it recorded itself done while this process waited for it (then that outcome). The outcome
     * is also written to {@code jobs/<id>/outcome.json}.
     */
    Optional<JobResult> run(Recipe r, Job job, Pretraining.Encoder encoder) throws IOException {
        Path jobDir = RunFiles.jobDir(runDir, job.id());
        Files.createDirectories(jobDir);
        try (FileChannel channel = FileChannel.open(jobDir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock lock = tryLock(channel)) {
            if (lock == null) return Optional.empty();
            Optional<JobResult> earlier = RunFiles.readOutcome(jobDir);
            if (earlier.isPresent() && earlier.get().isDone()) return earlier;
            Files.deleteIfExists(jobDir.resolve(RunFiles.OUTCOME));
            JobResult result;
            try {
                result = train(r, job, jobDir, encoder);
            } catch (RuntimeException | IOException e) {
                StringWriter trace = new StringWriter();
                e.printStackTrace(new PrintWriter(trace));
                log.println(trace);
                out.println("job " + job.id() + " failed: " + e.getMessage() + " (full trace in " + (log == out ? "this log" : runDir.resolve(RunFiles.RUN_LOG)) + ")");
                result = JobResult.failed(job.id(), String.valueOf(e.getMessage()));
            }
            RunFiles.writeOutcome(jobDir, result);
            return Optional.of(result);
        }
    }

    /** The job's lock, or null when another process holds it (the OS releases it when that process dies, even by kill -9). */
    private static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (OverlappingFileLockException heldHere) {
            return null;
        }
    }

    private JobResult train(Recipe r, Job job, Path jobDir, Pretraining.Encoder encoder) throws IOException {
        if (encoder != null && encoder.isFailed()) throw new IllegalStateException(encoder.failure());
        Optional<Checkpoints.Saved> checkpoint = prepareDirectory(r, jobDir);
        Datasets.Split split = data.get(r.data(), r.seed());
        try (JobData d = jobData(r, split, job); SelfTraining.Student student = r.semiSupervised() instanceof PseudoLabel p
                ? SelfTraining.run(r, p, job, d, split, jobDir, o.dataBase(), info.device(), out, o.terminal(), encoder) : null) {
            ImageSet validation = d.validation();
            ImageSet train = student == null ? d.train() : student.train();
            out.printf(Locale.ROOT, "job %s: %d training%s, %d validation, %d test %s%n", job.id(), train.size(),
                    student == null ? "" : " (" + d.train().size() + " labelled" + labelledTimes(student, d) + ", " + student.outcome().positions().length + " pseudo-labelled)",
                    validation.size(), d.test().size(), train.isTable() ? "rows" : "images");
            if (!d.features().isEmpty()) out.println("job " + job.id() + ": " + d.features().size() + " features encoded on its " + d.train().size() + " training rows");
            try (Training t = Training.open(r, train, validation, split.train().classes(), job.initSeed(), o.dataBase(), info.device(), out, o.terminal(),
                    job.id(), encoder);
                 FixMatchJob fixMatch = r.semiSupervised() instanceof FixMatch f ? FixMatchJob.attach(r, f, t, job, d, split, o.dataBase(), out) : null) {
                ModelFiles.Description description = describe(r, t, split, train);
                try (Techniques techniques = Techniques.attach(r, t.learner(), jobDir, validation.size(), d.test(), description, checkpoint.isPresent())) {
                    Learner learner = t.learner();
                    attachCallbacks(r, learner, jobDir, job, checkpoint);
                    t.fit();
                    double seconds = learner.state().fitSeconds();
                    techniques.finish();
                    if (d.encoder() != null) d.encoder().save(jobDir.resolve(TABLE_ENCODER));
                    if (split.train().isRegression()) {
                        return RegressionJobs.finish(learner, d.test(), job, jobDir, description, r.output().saveModels(), seconds, techniques.results(), out);
                    }
                    Tested tested = test(r, t, d.test(), job);
                    if (r.output().saveModels()) ModelFiles.save(jobDir, t.net(), description);
                    Evaluation test = techniques.test(tested.test(), job.id(), out);
                    Ensembles.saveProbabilities(jobDir, test.probabilities());
                    Checkpoints.delete(jobDir); // the job is done: its model is saved, nothing left to resume
                    Map<String, Object> details = jobResults(job, t.net(), test, seconds, t.norm(), train.size());
                    if (tested.plain() != null) {
                        details.put("testAccuracyWithoutTta", tested.plain().accuracy());
                        details.put("tta", Map.of("views", r.augment().tta().views(), "plainWeight", r.augment().tta().plainWeight()));
                    }
                    details.putAll(techniques.results());
                    if (!d.features().isEmpty()) details.put("tableFeatures", d.features());
                    if (student != null) details.put("semiSupervised", student.outcome().summary(d.train().size()));
                    if (fixMatch != null) details.put("semiSupervised", fixMatch.summary());
                    AtomicFiles.writeString(jobDir.resolve("results.json"), Json.PRETTY.writeValueAsString(details));
                    out.printf(Locale.ROOT, "job %s: test accuracy %.2f%% (%d " + (train.isTable() ? "rows" : "images") + "), loss %.4f, trained in %.1f s%s%s%n",
                            job.id(), 100 * test.accuracy(), test.images(), test.loss(), seconds, validationCost(learner.state()),
                            fixMatch == null ? "" : fixMatch.summaryLine());
                    return JobResult.classified(job.id(), test.accuracy(), test.loss(), seconds);
                }
            }
        }
    }

    /** The job's checkpoint if it has one (its metrics kept up to it), else a clean directory: a job rerun by --resume starts its log again. */
    private static Optional<Checkpoints.Saved> prepareDirectory(Recipe r, Path jobDir) throws IOException {
        Optional<Checkpoints.Saved> checkpoint = r.output().checkpoints() ? Checkpoints.read(jobDir) : Optional.empty();
        if (checkpoint.isPresent()) {
            keepMetricsThrough(jobDir.resolve("metrics.jsonl"), checkpoint.get().epoch());
        } else {
            Files.deleteIfExists(jobDir.resolve("metrics.jsonl"));
            Checkpoints.delete(jobDir);
        }
        return checkpoint;
    }

    /** What model.json says about the job's network: its classes or targets, input and normalisation, the cosine loss's embeddings. */
    private static ModelFiles.Description describe(Recipe r, Training t, Datasets.Split split, ImageSet train) {
        var px = train.pixels();
        int[] size = t.size();
        if (split.train().isRegression()) {
            return new ModelFiles.Description(r.model(), List.of(), px.channels(), size[0], size[1], t.repeatGray(), t.norm(), null, split.train().targetNames());
        }
        var objective = t.objective();
        return new ModelFiles.Description(r.model(), split.train().classes(), px.channels(), size[0], size[1], t.repeatGray(), t.norm(),
                objective == null ? null : new ModelFiles.Cosine(t.lambda(), TensorMemory.toFloats(objective.classEmbeddings()), objective.dim()));
    }

    /** Progress, metrics.jsonl, the caller's callbacks and checkpoints; a checkpoint to resume from is restored. */
    private void attachCallbacks(Recipe r, Learner learner, Path jobDir, Job job, Optional<Checkpoints.Saved> checkpoint) {
        learner.add(new Progress(out, o.terminal())).add(new MetricsLog(jobDir.resolve("metrics.jsonl")));
        o.extra().forEach(learner::add);
        if (r.output().checkpoints()) learner.add(new Checkpoints(jobDir, learner));
        if (checkpoint.isPresent()) {
            Checkpoints.Saved c = checkpoint.get();
            out.println("job " + job.id() + ": resuming after epoch " + c.epoch() + " from " + c.weights().getFileName());
            learner.resumeAfter(c.epoch(), c.step(), () -> Checkpoints.restore(c, learner));
        }
    }

    /** The test evaluation, and the plain one beside it when test-time augmentation is on. */
    private record Tested(Evaluation test, Evaluation plain) {}

    private Tested test(Recipe r, Training t, ImageSet test, Job job) {
        Learner learner = t.learner();
        Evaluation plain = learner.evaluate(test);
        var tta = r.augment().tta();
        if (tta.views() == 0) return new Tested(plain, null);
        var px = test.pixels();
        int[] ttaSize = t.pipes().tta().outputSize(px.height(), px.width()), size = t.size();
        if (ttaSize[0] != size[0] || ttaSize[1] != size[1]) {
            throw new RecipeException("augment.tta.ops", "end at " + ttaSize[0] + "x" + ttaSize[1] + " but the model sees " + size[0] + "x" + size[1]);
        }
        Evaluation viewed = learner.evaluateWithTta(test, t.pipes().tta(), tta.views(), tta.plainWeight());
        out.printf(Locale.ROOT, "job %s: test accuracy without TTA %.2f%%, with %d views %.2f%%%n", job.id(),
                100 * plain.accuracy(), tta.views(), 100 * viewed.accuracy());
        return new Tested(viewed, plain);
    }

    /** ", of which validation 3.1 s (12 times)" for the job line; nothing without validation. */
    static String validationCost(TrainState s) {
        return s.validations() == 0 ? "" : String.format(Locale.ROOT, ", of which validation %.1f s (%d time%s)", s.validationSeconds(), s.validations(), s.validations() == 1 ? "" : "s");
    }

    /** " x10" when the student sees each labelled image 10 times (semiSupervised.labelledShare), else nothing. */
    private static String labelledTimes(SelfTraining.Student student, JobData d) {
        int repeats = student.outcome().settings().labelledRepeats(d.train().size(), student.outcome().positions().length);
        return repeats == 1 ? "" : " x" + repeats;
    }

    /**
     * The labelled images of one job: its fold's validation part, and its subset of the fold's
     * training part ({@code train}, the images at positions {@code subset} of {@code trainPart}),
     * and the test images. For a table, every part is encoded by a {@link TableEncoder} fitted on
     * {@code train}'s rows alone ({@code features} names what it made; empty for images).
     */
    /** In a job directory of table rows: its {@link TableEncoder} (the features its network saw, in order, and how new rows become them). */
    public static final String TABLE_ENCODER = "table-encoder.json";

    public record JobData(ImageSet trainPart, ImageSet validation, ImageSet train, int[] subset, ImageSet test, TableEncoder encoder)
            implements AutoCloseable {
        /** The encoded features' names; empty for images. */
        public List<String> features() {
            return encoder == null ? List.of() : encoder.featureNames();
        }

        @Override
        public void close() {
            try (trainPart; validation; train; test) {
                // closed in reverse order; a view frees nothing
            }
        }
    }

    /** The images {@code job} trains and validates on; they depend on its fold and seed only, never on its variant or member. */
    public static JobData jobData(Recipe r, Datasets.Split split, Job job) {
        int strata = split.train().strata();
        Splits.Fold fold = Splits.fold(r.data().split(), split.train().labels(), strata, job.fold(), job.splitSeed());
        ImageSet trainPart = split.train().select(fold.train());
        ImageSet validation = split.train().select(fold.validation());
        int[] subset = Splits.subset(job.subset(), trainPart.labels(), strata, job.subsetSeed());
        ImageSet train = trainPart.select(subset);
        if (!train.isTable()) return new JobData(trainPart, validation, train, subset, split.test().view(), null);
        TableEncoder encoder = TableEncoder.fit(train);
        try (trainPart; validation; train) {
            return new JobData(encoder.encode(trainPart), encoder.encode(validation), encoder.encode(train), subset, encoder.encode(split.test()), encoder);
        }
    }

    private static Map<String, Object> jobResults(Job job, Network net, Evaluation test, double seconds, Normalization norm, int trainImages) {
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

    /** Keeps the lines of epochs up to {@code epoch} (a job resumed from its checkpoint logs the rest again). */
    static void keepMetricsThrough(Path file, int epoch) throws IOException {
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
}
