package dev.kinglet.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import dev.kinglet.dsl.Recipe;
import dev.kinglet.dsl.RecipeException;
import dev.kinglet.natives.Device;
import dev.kinglet.natives.NativeRuntime;
import dev.kinglet.run.Provenance;
import dev.kinglet.run.Runner;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Kinglet's command line; the main class of every recipe jar. */
@Command(name = "kinglet", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Deep learning for small labelled data sets.",
        subcommands = {Main.ListRecipes.class, Main.Run.class})
public final class Main {
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
                return 2;
            }
            err.println("error: " + e.getMessage());
            if (System.getenv("KINGLET_DEBUG") != null) e.printStackTrace(err);
            return e instanceof IllegalArgumentException ? 2 : 1;
        });
        return cl.execute(args);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"kinglet " + Provenance.kingletVersion() + " (Java " + System.getProperty("java.version") + ")"};
        }
    }

    @Command(name = "list", description = "Lists the recipes in this jar with one-line descriptions.")
    static final class ListRecipes implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            var out = spec.commandLine().getOut();
            for (Recipe r : RecipeCatalog.all()) out.printf("%-24s %s%n", r.name(), r.description());
            return 0;
        }
    }

    @Command(name = "run", description = "Runs a recipe and writes its run directory.")
    static final class Run implements Callable<Integer> {
        @Parameters(paramLabel = "NAME|FILE", description = "a recipe name (see list) or a .json/.yaml recipe file")
        String recipe;

        @Option(names = "--out", paramLabel = "DIR", description = "where run directories go (default: ${DEFAULT-VALUE})", defaultValue = "runs")
        Path out;

        @Option(names = "--device", description = "auto, cpu, cuda or cuda:N (default: ${DEFAULT-VALUE})", defaultValue = "auto")
        String device;

        @Option(names = "--threads", description = "LibTorch intra-op threads (default: all cores)")
        Integer threads;

        @Option(names = "--seed", description = "overrides the recipe's seed")
        Long seed;

        @Override
        public Integer call() throws Exception {
            Recipe r = RecipeCatalog.resolve(recipe);
            if (seed != null) r = r.withSeed(seed);
            var options = Runner.Options.defaults(System.out).withOutRoot(out).withDevice(Device.parse(device))
                    .withThreads(threads == null ? NativeRuntime.defaultThreads() : threads);
            Runner.run(r, options);
            return 0;
        }
    }
}
