package dev.kinglet.run;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.kinglet.data.Datasets;
import dev.kinglet.data.ImageSet;
import dev.kinglet.dsl.Recipe;
import dev.kinglet.dsl.RecipeException;
import dev.kinglet.natives.Device;
import dev.kinglet.natives.NativeRuntime;
import dev.kinglet.report.RunReport;
import dev.kinglet.rundir.Job;
import dev.kinglet.rundir.JobResult;
import dev.kinglet.rundir.JobState;
import dev.kinglet.rundir.PlanFile;
import dev.kinglet.rundir.RunFiles;
import dev.kinglet.train.Callback;
import dev.kinglet.util.AtomicFiles;
import dev.kinglet.util.Json;
import dev.kinglet.util.Stats;

/**
 * Runs a recipe's plan: what must happen once ({@link #prepare}: the run directory's header files,
 * baselines, searches, pre-training, plan.json), then the pending jobs ({@link JobRunner}) here,
 * in worker processes ({@link Workers}) or in shards on other machines ({@link Shard}), then the
 * ensembles and the report. The run directory {@code <out>/<recipe>/<timestamp>/} holds
 * {@code recipe.json}, {@code provenance.json}, {@code plan.json} ({@link PlanFile}),
 * {@code results.json}, {@code run.log}, and per job {@code jobs/<id>/}. Every file but the
 * append-only logs is written whole or not at all. A failed job does not stop the others;
 * {@code --resume} reruns what is not done.
 */
public final class Runner {
    private static final String MERGE_LOCK = "merge.lock";

    private Runner() {}

    /**
     * @param outRoot  where run directories go ({@code ./runs} by default)
     * @param dataBase what relative data paths are resolved against (the working directory)
     * @param extra    callbacks added to every job's loop, e.g. by tests
     * @param workers  the devices of the worker processes that run the jobs at once, one process
     *                 per entry (e.g. {@code [cpu, cpu]} or {@code [cuda:0, cuda:1]}); empty: the
     *                 jobs run one after another in this process on {@code device}
     * @param shard    with {@link #resume}: run only this share of a prepared run's jobs; null: all
     * @param prepare  stop after what must happen once, leaving every job pending (for shards)
     */
    public record Options(Path outRoot, Path dataBase, Device device, int threads, PrintStream out, boolean terminal,
                          List<Callback> extra, List<Device> workers, Shard shard, boolean prepare) {
        public Options {
            workers = List.copyOf(workers);
        }

        public static Options defaults(PrintStream out) {
            return new Options(Path.of("runs"), Path.of(""), Device.AUTO, NativeRuntime.defaultThreads(), out,
                    Progress.stdoutIsTerminal(), List.of(), List.of(), null, false);
        }

        public Options withOutRoot(Path p) { return new Options(p, dataBase, device, threads, out, terminal, extra, workers, shard, prepare); }
        public Options withDevice(Device d) { return new Options(outRoot, dataBase, d, threads, out, terminal, extra, workers, shard, prepare); }
        public Options withThreads(int t) { return new Options(outRoot, dataBase, device, t, out, terminal, extra, workers, shard, prepare); }
        public Options withDataBase(Path p) { return new Options(outRoot, p, device, threads, out, terminal, extra, workers, shard, prepare); }
        public Options withCallbacks(List<Callback> c) { return new Options(outRoot, dataBase, device, threads, out, terminal, c, workers, shard, prepare); }
        public Options withOut(PrintStream o) { return new Options(outRoot, dataBase, device, threads, o, terminal, extra, workers, shard, prepare); }
        public Options withWorkers(List<Device> w) { return new Options(outRoot, dataBase, device, threads, out, terminal, extra, w, shard, prepare); }
        public Options withShard(Shard s) { return new Options(outRoot, dataBase, device, threads, out, terminal, extra, workers, s, prepare); }
        public Options withPrepare(boolean p) { return new Options(outRoot, dataBase, device, threads, out, terminal, extra, workers, shard, p); }
    }

    /** {@code summary} is empty when the run is not complete (prepared only, or a shard whose others still run). */
    public record Result(Path runDir, List<JobResult> jobs, Map<String, Stats.Summary> summary) {
        public List<JobResult> failed() {
            return jobs.stream().filter(j -> j.state() == JobState.FAILED).toList();
        }
    }

    public static Result run(Recipe recipe, Options o) throws IOException {
        if (o.shard() != null) throw new RecipeException("--shard", "shards run the jobs of a prepared run: first kinglet run RECIPE --prepare, then kinglet run --resume RUN_DIR --shard i/N");
        Recipe resolved = dev.kinglet.data.TableReader.resolveTask(recipe, o.dataBase(), o.out());
        return execute(resolved, RunDirectory.create(o.outRoot().resolve(resolved.name())), o, Map.of());
    }

    /** Continues the run in {@code dir}: jobs already done are kept, the others run again (only the shard's, with {@link Options#shard()}). */
    public static Result resume(Path dir, Options o) throws IOException {
        Recipe recipe = RunFiles.recipe(dir, "--resume");
        if (o.shard() != null) return Shards.run(dir, recipe, o);
        Map<String, JobResult> done = new LinkedHashMap<>();
        if (PlanFile.exists(dir)) for (JobResult r : PlanFile.read(dir).recorded(dir)) if (r.isDone()) done.put(r.id(), r);
        return execute(recipe, dir, o, done);
    }

    /** What every job of a run needs and is made once: the recipe as chosen, its plan, searches and pre-trained encoders. */
    record Prepared(Recipe recipe, Plan plan, Tuning tuning, Map<String, Pretraining.Encoder> encoders) {}

    private static Result execute(Recipe recipe, Path dir, Options o, Map<String, JobResult> done) throws IOException {
        NativeRuntime.Info info = NativeRuntime.start(o.threads(), recipe.seed(), o.device());
        try (var console = RunDirectory.Console.open(o.out(), dir.resolve(RunFiles.RUN_LOG)); var data = new DataCache(o.dataBase())) {
            PrintStream out = console.out();
            Prepared p = prepare(recipe, dir, info, o, data, out);
            Map<String, JobResult> results = new LinkedHashMap<>();
            List<Job> pending = new ArrayList<>();
            for (Job job : p.plan().jobs()) {
                results.put(job.id(), done.getOrDefault(job.id(), JobResult.of(job.id(), JobState.PENDING)));
                if (done.containsKey(job.id())) out.println("job " + job.id() + ": done in an earlier session, kept");
                else pending.add(job);
            }
            PlanFile.of(p.plan().summary(), p.plan().jobs(), results).write(dir);
            if (o.prepare()) {
                out.printf(Locale.ROOT, "prepared %s: %d job(s) pending; run them with kinglet run --resume %s --shard i/N (one process per i in 0..N-1)%n",
                        dir, pending.size(), dir);
                return new Result(dir, List.copyOf(results.values()), Map.of());
            }
            if (o.workers().size() > 1 && pending.size() > 1) {
                for (Job job : pending) results.put(job.id(), JobResult.of(job.id(), JobState.RUNNING));
                PlanFile.of(p.plan().summary(), p.plan().jobs(), results).write(dir);
                results.putAll(Workers.run(dir, pending, o, out));
            } else {
                JobRunner jobs = new JobRunner(data, dir, info, o, out, console.log());
                for (Job job : pending) {
                    results.put(job.id(), JobResult.of(job.id(), JobState.RUNNING));
                    PlanFile.of(p.plan().summary(), p.plan().jobs(), results).write(dir);
                    results.put(job.id(), jobs.run(p.tuning().recipe(p.plan(), job), job, p.encoders().get(job.variant()))
                            .orElse(JobResult.failed(job.id(), "another process holds " + RunFiles.jobDir(dir, job.id()).resolve(JobRunner.LOCK))));
                }
            }
            return finish(dir, p.plan(), results, data, out, true);
        }
    }

    /**
     * Once per run (and again, reading what is there, by each worker and shard): the recipe's split
     * choice, the header files, baselines, searches and pre-training, in that order.
     */
    static Prepared prepare(Recipe recipe, Path dir, NativeRuntime.Info info, Options o, DataCache data, PrintStream out) throws IOException {
        Plan plan = Plan.of(recipe, o.dataBase());
        Support.Findings findings = Support.check(recipe, plan);
        findings.throwIfRefused();
        Datasets.Split base = data.get(recipe.data(), recipe.seed());
        Recipe chosen = Plan.chooseSplit(recipe, base.train(), out);
        if (chosen != recipe) {
            recipe = chosen; // recipe.json records the choice: a resumed run, its workers and shards plan the same jobs
            plan = Plan.of(recipe, o.dataBase());
            Support.check(recipe, plan).throwIfRefused(); // e.g. early stopping without validation images
        }
        RunDirectory.writeHeader(dir, recipe, plan, base, info, findings, out);
        BaselineRuns.run(recipe, plan, base, dir, o, info.device(), out);
        Tuning tuning = Tuning.run(plan, dir, data, info, o, out);
        if (!tuning.isEmpty()) AtomicFiles.writeString(dir.resolve(RunFiles.TUNING), Json.PRETTY.writeValueAsString(tuning.summary()));
        return new Prepared(recipe, plan, tuning, Pretraining.ensureAll(plan, data, dir, o.dataBase(), info.device(), out, o.terminal()));
    }

    /**
     * The jobs {@code ids} of the run in {@code dir}, for a worker process ({@link Workers}): the
     * run's searches and pre-training are done (this process only reads them); each job's outcome
     * goes to {@code jobs/<id>/outcome.json}, where the process that started the run collects it.
     */
    public static void runJobs(Path dir, List<String> ids, Options o) throws IOException {
        Recipe recipe = RunFiles.recipe(dir, "run-jobs");
        Plan plan = Plan.of(recipe, o.dataBase());
        Map<String, Job> byId = new LinkedHashMap<>();
        plan.jobs().forEach(j -> byId.put(j.id(), j));
        for (String id : ids) if (!byId.containsKey(id)) throw new IllegalArgumentException("job " + id + " is not in the plan of " + dir);
        NativeRuntime.Info info = NativeRuntime.start(o.threads(), recipe.seed(), o.device());
        PrintStream out = o.out();
        try (var data = new DataCache(o.dataBase())) {
            out.printf(Locale.ROOT, "worker %d: %d job(s) of %s on %s (%d threads)%n", ProcessHandle.current().pid(), ids.size(), dir, info.device(), info.threads());
            Tuning tuning = Tuning.run(plan, dir, data, info, o, out);
            Map<String, Pretraining.Encoder> encoders = Pretraining.ensureAll(plan, data, dir, o.dataBase(), info.device(), out, o.terminal());
            JobRunner jobs = new JobRunner(data, dir, info, o, out, out);
            for (String id : ids) {
                Job job = byId.get(id);
                if (jobs.run(tuning.recipe(plan, job), job, encoders.get(job.variant())).isEmpty()) out.println("job " + id + ": taken by another process");
            }
        }
    }

    /**
     * Collects every job's recorded outcome into plan.json and, when none is pending or running
     * (or {@code always}), combines the ensembles whose members are all done and writes the
     * report: what {@code kinglet report} and the last shard to finish do. One process at a time
     * (a lock on {@code merge.lock}).
     */
    public static Result merge(Path dir, Options o, boolean always) throws IOException {
        Recipe recipe = RunFiles.recipe(dir, "report");
        Plan plan = Plan.of(recipe, o.dataBase());
        if (plan.variants().values().stream().anyMatch(r -> r.ensemble().members() > 1)) NativeRuntime.start(o.threads(), recipe.seed(), o.device());
        try (var data = new DataCache(o.dataBase())) {
            return merge(dir, plan, data, o.out(), always);
        }
    }

    static Result merge(Path dir, Plan plan, DataCache data, PrintStream out, boolean always) throws IOException {
        try (FileChannel channel = FileChannel.open(dir.resolve(MERGE_LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             var lock = channel.lock()) {
            Map<String, JobResult> results = new LinkedHashMap<>();
            for (JobResult r : PlanFile.read(dir).recorded(dir)) results.put(r.id(), r);
            long open = results.values().stream().filter(r -> r.state() == JobState.PENDING || r.state() == JobState.RUNNING).count();
            if (open > 0 && !always) {
                PlanFile.of(plan.summary(), plan.jobs(), results).write(dir);
                out.printf(Locale.ROOT, "%d of %d job(s) not finished yet; the report is written when the last one is (or now by kinglet report %s)%n",
                        open, results.size(), dir);
                return new Result(dir, List.copyOf(results.values()), Map.of());
            }
            return finish(dir, plan, results, data, out, false);
        }
    }

    /** plan.json with every outcome, the ensembles whose members are all done, and the report. */
    private static Result finish(Path dir, Plan plan, Map<String, JobResult> results, DataCache data, PrintStream out, boolean recombine) throws IOException {
        PlanFile.of(plan.summary(), plan.jobs(), results).write(dir);
        combineEnsembles(plan, results, dir, data, out, recombine);
        var report = RunReport.write(dir);
        report.print(out);
        return new Result(dir, List.copyOf(results.values()), report.testAccuracy());
    }

    /** Averages the members of every ensemble whose members are all done (with {@code recombine} false, those not combined yet). */
    private static void combineEnsembles(Plan plan, Map<String, JobResult> results, Path dir, DataCache data, PrintStream out, boolean recombine)
            throws IOException {
        Map<String, List<Job>> groups = new LinkedHashMap<>();
        for (Job job : plan.jobs()) {
            if (plan.variants().get(job.variant()).ensemble().members() > 1) groups.computeIfAbsent(job.ensembleId(), k -> new ArrayList<>()).add(job);
        }
        for (var e : groups.entrySet()) {
            if (!e.getValue().stream().allMatch(j -> results.get(j.id()).isDone())) {
                out.println("ensemble " + e.getKey() + ": not combined, some members did not finish");
                continue;
            }
            if (!recombine && Files.isRegularFile(dir.resolve("ensembles").resolve(e.getKey()).resolve(Ensembles.INDEX))) continue;
            Recipe r = plan.variants().get(e.getValue().get(0).variant());
            ImageSet test = data.get(r.data(), r.seed()).test();
            var res = Ensembles.combine(dir, e.getKey(), e.getValue().stream().map(Job::id).toList(), test.labels(), test.classes());
            out.printf(Locale.ROOT, "ensemble %s: test accuracy %.2f%% (members %s), mean entropy %.3f, disagreement %.3f%n", e.getKey(),
                    100 * res.accuracy(), res.memberAccuracies().stream().map(a -> String.format(Locale.ROOT, "%.2f", 100 * a)).toList(),
                    res.meanEntropy(), res.meanDisagreement());
        }
    }
}
