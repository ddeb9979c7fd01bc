package dev.kinglet.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.kinglet.dsl.Recipe;
import dev.kinglet.dsl.RecipeException;
import dev.kinglet.dsl.RecipeIo;
import dev.kinglet.natives.Device;
import dev.kinglet.natives.NativeRuntime;
import dev.kinglet.natives.Natives;
import dev.kinglet.tools.Check;
import dev.kinglet.run.Plan;
import dev.kinglet.run.Provenance;
import dev.kinglet.run.Runner;
import dev.kinglet.run.Shard;
import dev.kinglet.run.Support;
import dev.kinglet.rundir.Job;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

/**
 * Kinglet's command line; the main class of every recipe jar. Exit codes: 0 success, 2 an
 * invalid recipe or arguments (a message, no stack trace), 1 a failure while running (a
 * message and where the full log is).
 */
@Command(name = "kinglet", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Deep learning for small labelled data sets.",
        subcommands = {Main.ListRecipes.class, Main.Describe.class, Main.CheckRecipe.class, Main.Run.class, Main.AugmentPreview.class,
                Main.Predict.class, Main.Report.class, Main.Schema.class, Main.LrFind.class, Main.NativeOrigins.class, Main.RunJobs.class})
public final class Main {
    static final int OK = 0, FAILED = 1, INVALID = 2;

    public static void main(String[] args) {
        System.exit(execute(System.out, System.err, args));
    }

    public static int execute(PrintStream out, PrintStream err, String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(new java.io.PrintWriter(out, true));
        cl.setErr(new java.io.PrintWriter(err, true));
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof RecipeException re) {
                err.println("recipe error at " + re.path() + ": " + re.getMessage().substring(re.path().length() + 2));
                return INVALID;
            }
            if (e instanceof IllegalArgumentException) {
                err.println("error: " + e.getMessage());
                return INVALID;
            }
            err.println("error: " + e.getMessage() + (e instanceof RunFailed ? "" : " (KINGLET_DEBUG=1 prints the stack trace)"));
            if (System.getenv("KINGLET_DEBUG") != null) e.printStackTrace(err);
            return FAILED;
        });
        cl.setParameterExceptionHandler((e, a) -> {
            err.println("error: " + e.getMessage());
            e.getCommandLine().usage(err);
            return INVALID;
        });
        return cl.execute(args);
    }

    /** A run that started but did not finish every job. */
    static final class RunFailed extends RuntimeException {
        RunFailed(String message) {
            super(message);
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"kinglet " + Provenance.kingletVersion() + " (Java " + System.getProperty("java.version") + ")"};
        }
    }

    /** {@code --set path=value} pairs, validated as the recipe file is. */
    static Recipe withOverrides(Recipe r, List<String> sets) {
        if (sets == null || sets.isEmpty()) return r;
        Map<String, JsonNode> overrides = new LinkedHashMap<>();
        for (String s : sets) {
            int eq = s.indexOf('=');
            if (eq <= 0) throw new RecipeException("(--set)", "'" + s + "' is not path=value, e.g. --set train.optimizer.lr=0.01");
            overrides.put(s.substring(0, eq).trim(), RecipeIo.parseValue(s.substring(eq + 1)));
        }
        return RecipeIo.override(r, overrides, "--set");
    }

    @Command(name = "natives", description = "Loads LibTorch, OpenBLAS and OpenCV and prints every native library the process mapped, with its path; "
            + "exit 1 if one of theirs came from outside JavaCPP's cache.")
    static final class NativeOrigins implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            Natives.Origins o = Natives.origins();
            java.io.PrintWriter out = spec.commandLine().getOut();
            out.println("JavaCPP cache: " + o.cacheDir() + " (platform " + Natives.pytorchPlatform() + ")");
            for (Path p : o.mapped()) out.println((o.foreign().contains(p) ? "  FOREIGN " : "  ") + p);
            if (!o.foreign().isEmpty()) {
                spec.commandLine().getErr().println("error: " + o.foreign().size() + " of the presets' libraries came from outside "
                        + "JavaCPP's cache (marked FOREIGN): check LD_LIBRARY_PATH and LD_PRELOAD");
                return FAILED;
            }
            out.println(o.mapped().size() + " libraries mapped; every one the presets ship came from JavaCPP's cache");
            return OK;
        }
    }

    @Command(name = "list", description = "Lists the recipes in this jar with one-line descriptions.")
    static final class ListRecipes implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            var out = spec.commandLine().getOut();
            for (Recipe r : RecipeCatalog.all()) out.printf("%-24s %s%n", r.name(), r.description());
            return OK;
        }
    }

    @Command(name = "augment-preview", description = "Writes a PNG grid: each sample as evaluated, then augmented draws of the train pipeline.")
    static final class AugmentPreview implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;
        @Parameters(paramLabel = "NAME|FILE") String recipe;
        @Option(names = "--n", defaultValue = "16", description = "samples, one row each (default: ${DEFAULT-VALUE})") int n;
        @Option(names = "--views", defaultValue = "7", description = "augmented draws per sample (default: ${DEFAULT-VALUE})") int views;
        @Option(names = "--out", defaultValue = "augment-preview.png", description = "the PNG to write (default: ${DEFAULT-VALUE})") Path out;
        @Option(names = "--set", paramLabel = "PATH=VALUE", description = "override a recipe value") List<String> sets;

        @Override
        public Integer call() throws Exception {
            if (n < 1 || views < 0) throw new IllegalArgumentException("--n must be >= 1 and --views >= 0");
            Recipe r = withOverrides(RecipeCatalog.resolve(recipe), sets);
            String size = dev.kinglet.run.Preview.write(r, Path.of(""), n, views, out);
            spec.commandLine().getOut().println("wrote " + out + " (" + size + " pixels): " + n + " samples, each as evaluated and in " + views + " augmented draws");
            return OK;
        }
    }

    @Command(name = "lr-find", description = "Learning-rate range test on a recipe's model and data: writes lr-find.png and lr-find.json and suggests a rate.")
    static final class LrFind implements Callable<Integer> {
        @Parameters(paramLabel = "NAME|FILE", description = "a recipe name (see list) or a .json/.yaml recipe file") String recipe;
        @Option(names = "--set", paramLabel = "PATH=VALUE", description = "override a recipe value") List<String> sets;
        @Option(names = "--out", paramLabel = "DIR", defaultValue = ".", description = "where lr-find.png and lr-find.json go (default: the current directory)") Path out;
        @Option(names = "--device", defaultValue = "auto", description = "auto, cpu, cuda or cuda:N (default: ${DEFAULT-VALUE})") String device;
        @Option(names = "--threads", description = "LibTorch intra-op threads (default: all cores)") Integer threads;

        @Override
        public Integer call() throws Exception {
            Recipe r = withOverrides(RecipeCatalog.resolve(recipe), sets);
            dev.kinglet.tools.LrFind.run(r, Path.of(""), Device.parse(device), threads == null ? NativeRuntime.defaultThreads() : threads, out,
                    new PrintStream(System.out, true));
            return OK;
        }
    }

    @Command(name = "predict", description = "Writes class probabilities (a regression model: target values) of images, or of a table's rows (one CSV/TSV file), from a saved model (a job directory with model.pth and model.json, or a run's ensembles/<id>).")
    static final class Predict implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;
        @Parameters(index = "0", paramLabel = "MODEL_DIR", description = "e.g. runs/fashion-quick/latest/jobs/base.all.f0.s0.m0") Path model;
        @Parameters(index = "1..*", arity = "1..*", paramLabel = "INPUTS", description = "image files or folders (searched recursively)") List<Path> inputs;
        @Option(names = "--out", defaultValue = "predictions.csv", description = "the CSV to write (default: ${DEFAULT-VALUE})") Path out;

        @Override
        public Integer call() throws Exception {
            NativeRuntime.start(NativeRuntime.defaultThreads(), 0, Device.parse("cpu"));
            dev.kinglet.tools.Predict.run(model, inputs, out, new PrintStream(System.out, true));
            return OK;
        }
    }

    @Command(name = "report", description = "Rebuilds results.json and report.html of a run directory (also of an interrupted run: missing jobs are shown as missing).")
    static final class Report implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;
        @Parameters(paramLabel = "RUN_DIR", description = "e.g. runs/fashion-quick/latest") Path dir;

        @Override
        public Integer call() throws Exception {
            // collects what workers and shards recorded, combines finished ensembles, then reports (missing jobs shown as missing)
            Runner.merge(dir, Runner.Options.defaults(new PrintStream(System.out, true)).withDevice(Device.CPU), true);
            return OK;
        }
    }

    @Command(name = "schema", description = "Prints the JSON Schema of the recipe format (for editors).")
    static final class Schema implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().getOut().print(dev.kinglet.dsl.RecipeSchema.json());
            spec.commandLine().getOut().flush();
            return OK;
        }
    }

    @Command(name = "describe", description = "Prints the full recipe, defaults filled in, and the plan of jobs it expands to.")
    static final class Describe implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;
        @Parameters(paramLabel = "NAME|FILE", description = "a recipe name (see list) or a .json/.yaml recipe file") String recipe;
        @Option(names = "--json", description = "the recipe as JSON") boolean json;
        @Option(names = "--yaml", description = "the recipe as YAML (the default)") boolean yaml;
        @Option(names = "--set", paramLabel = "PATH=VALUE", description = "override a recipe value, e.g. train.epochs=5") List<String> sets;

        @Override
        public Integer call() throws Exception {
            Recipe r = withOverrides(RecipeCatalog.resolve(recipe), sets);
            Plan plan = Plan.of(r);
            var out = spec.commandLine().getOut();
            if (json) {
                out.println(RecipeIo.toJson(r));
                return OK;
            }
            out.print(RecipeIo.toYaml(r));
            out.println("# plan: " + plan.summary());
            for (Job j : plan.jobs().subList(0, Math.min(20, plan.jobs().size()))) out.println("#   " + j.id());
            if (plan.jobs().size() > 20) out.println("#   ... and " + (plan.jobs().size() - 20) + " more");
            var findings = Support.check(r, plan);
            findings.errors().forEach(e -> out.println("# not runnable yet: " + e));
            findings.notices().forEach(n -> out.println("# notice: " + n));
            return OK;
        }
    }

    @Command(name = "check", description = "Pushes one sample and one batch through every stage and names the stage that fails.")
    static final class CheckRecipe implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;
        @Parameters(paramLabel = "NAME|FILE") String recipe;
        @Option(names = "--set", paramLabel = "PATH=VALUE", description = "override a recipe value") List<String> sets;
        @Option(names = "--device", defaultValue = "auto", description = "auto, cpu, cuda or cuda:N (default: ${DEFAULT-VALUE})") String device;

        @Override
        public Integer call() throws Exception {
            Recipe r = withOverrides(RecipeCatalog.resolve(recipe), sets);
            var stages = Check.run(r, Path.of(""), Device.parse(device), System.out);
            var failed = stages.stream().filter(s -> !s.ok()).findFirst();
            if (failed.isEmpty()) return OK;
            System.err.println("check failed at stage " + failed.get().name() + ": " + failed.get().detail());
            return failed.get().name().equals("recipe") ? INVALID : FAILED;
        }
    }

    @Command(name = "run", description = "Runs a recipe's plan and writes its run directory.")
    static final class Run implements Callable<Integer> {
        @Parameters(paramLabel = "NAME|FILE", arity = "0..1", description = "a recipe name (see list) or a .json/.yaml recipe file")
        String recipe;

        @Option(names = "--set", paramLabel = "PATH=VALUE", description = "override a recipe value, e.g. train.optimizer.lr=0.01 (validated as the file is)")
        List<String> sets;

        @Option(names = "--out", paramLabel = "DIR", description = "where run directories go (default: ${DEFAULT-VALUE}; "
                + "$KINGLET_RUNS if set)", defaultValue = "${env:KINGLET_RUNS:-runs}")
        Path out;

        @Option(names = "--resume", paramLabel = "RUN_DIR", description = "continue a run: jobs already done are kept")
        Path resume;

        @Option(names = "--device", description = "auto, cpu, cuda or cuda:N (default: ${DEFAULT-VALUE})", defaultValue = "auto")
        String device;

        @Option(names = "--threads", description = "LibTorch intra-op threads (default: all cores)")
        Integer threads;

        @Option(names = "--seed", description = "overrides the recipe's seed")
        Long seed;

        @Option(names = "--processes", paramLabel = "N", description = "run the jobs (ensemble members, seeds, variants) in N worker processes at once,"
                + " each on --device with its share of --threads (default: 1, one after another in this process)")
        Integer processes;

        @Option(names = "--devices", paramLabel = "LIST", split = ",", description = "one worker process per device, e.g. cuda:0,cuda:1 (instead of --processes)")
        List<String> devices;

        @Option(names = "--prepare", description = "do what a run needs once (plan, baselines, searches, pre-training, plan.json) and stop,"
                + " every job pending, for --resume RUN_DIR --shard i/N on other machines")
        boolean prepare;

        @Option(names = "--shard", paramLabel = "i/N", description = "with --resume: run only shard i of N of the pending jobs (a lock per job);"
                + " N alone takes i from JOB_COMPLETION_INDEX (Kubernetes Indexed Job) or SLURM_ARRAY_TASK_ID (Slurm array)")
        String shard;

        @Override
        public Integer call() throws Exception {
            var options = Runner.Options.defaults(System.out).withOutRoot(out).withDevice(Device.parse(device))
                    .withThreads(threads == null ? NativeRuntime.defaultThreads() : threads).withWorkers(workers()).withPrepare(prepare)
                    .withShard(shard == null ? null : Shard.parse(shard, System.getenv()));
            if (shard != null && resume == null) throw new IllegalArgumentException("--shard runs a share of a prepared run: give it with --resume RUN_DIR (prepare with --prepare)");
            if (shard != null && (prepare || processes != null || devices != null)) {
                throw new IllegalArgumentException("--shard runs its jobs one after another in this process: give no --prepare, --processes or --devices with it");
            }
            ContainerOutput.requireMounted(resume != null ? resume : out, System.getenv(), Path.of("/proc/self/mountinfo"));
            Device.parse(device).resolve(); // a device that cannot work (CUDA without a GPU) is refused before a run directory exists
            Runner.Result result;
            if (resume != null) {
                if (recipe != null || sets != null || seed != null) {
                    throw new IllegalArgumentException("--resume continues the recipe saved in " + resume + "; give no recipe, --set or --seed with it");
                }
                result = Runner.resume(resume, options);
            } else {
                if (recipe == null) throw new IllegalArgumentException("run needs a recipe name or file (see: kinglet list), or --resume RUN_DIR");
                Recipe r = withOverrides(RecipeCatalog.resolve(recipe), sets);
                if (seed != null) r = r.withSeed(seed);
                result = Runner.run(r, options);
            }
            if (!result.failed().isEmpty()) {
                throw new RunFailed(result.failed().size() + " of " + result.jobs().size() + " jobs failed (first: "
                        + result.failed().get(0).id() + ": " + result.failed().get(0).error() + "); full log in "
                        + result.runDir().resolve("run.log") + "; rerun them with --resume " + result.runDir());
            }
            return OK;
        }

        private List<Device> workers() {
            if (devices != null && processes != null) throw new IllegalArgumentException("give --processes N or --devices LIST, not both");
            if (devices != null) return devices.stream().map(Device::parse).toList();
            if (processes == null) return List.of();
            if (processes < 1 || processes > 256) throw new IllegalArgumentException("--processes must be in 1..256, got " + processes);
            return java.util.Collections.nCopies(processes, Device.parse(device));
        }
    }

    /** A worker process of {@code run --processes}: runs some jobs of a run directory. Not for direct use. */
    @Command(name = "run-jobs", hidden = true, description = "Runs the given jobs of a run directory (a worker of run --processes).")
    static final class RunJobs implements Callable<Integer> {
        @Parameters(paramLabel = "RUN_DIR") Path dir;
        @Option(names = "--jobs", split = ",", required = true) List<String> jobs;
        @Option(names = "--device", defaultValue = "auto") String device;
        @Option(names = "--threads", required = true) int threads;
        @Option(names = "--data-base", required = true) Path dataBase;
        @Option(names = "--parent", description = "stop when this process ends") Long parent;

        @Override
        public Integer call() throws Exception {
            if (parent != null) {
                var watched = ProcessHandle.of(parent);
                if (watched.isEmpty()) return FAILED;
                // the run that started this worker was stopped or killed: stop too, so a resumed run is alone with its jobs
                watched.get().onExit().thenRun(() -> Runtime.getRuntime().halt(FAILED));
            }
            Runner.runJobs(dir, jobs, Runner.Options.defaults(System.out).withDevice(Device.parse(device)).withThreads(threads).withDataBase(dataBase));
            return OK;
        }
    }
}
