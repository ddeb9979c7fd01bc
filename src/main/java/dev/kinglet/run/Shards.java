package dev.kinglet.run;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

import dev.kinglet.dsl.Recipe;
import dev.kinglet.dsl.RecipeException;
import dev.kinglet.natives.NativeRuntime;
import dev.kinglet.rundir.Job;
import dev.kinglet.rundir.PlanFile;
import dev.kinglet.rundir.RunFiles;

/**
 * One shard of a prepared run ({@code kinglet run --resume DIR --shard i/N}), for a scheduler
 * that starts N processes on machines that share {@code DIR}: a Kubernetes Indexed Job, a Slurm
 * array. The shard runs the jobs of its share that are not done, each under the job's lock, so
 * two shards with one index, or a shard started again after it was killed, never train one job
 * twice; a killed job resumes from its checkpoint. Its console also goes to
 * {@code shards/shard-<i>-of-<N>.log}. The shard that finds every job finished merges: plan.json,
 * ensembles, report.
 */
final class Shards {
    private Shards() {}

    static Runner.Result run(Path dir, Recipe recipe, Runner.Options o) throws IOException {
        Shard shard = o.shard();
        if (!PlanFile.exists(dir)) {
            throw new RecipeException("--shard", dir + " is not prepared (no " + PlanFile.FILE + "): prepare it once with kinglet run RECIPE --out DIR --prepare,"
                    + " then start the shards with --resume on the run directory it prints");
        }
        Plan plan = Plan.of(recipe, o.dataBase());
        NativeRuntime.Info info = NativeRuntime.start(o.threads(), recipe.seed(), o.device());
        Path log = Files.createDirectories(dir.resolve("shards")).resolve("shard-" + shard.index() + "-of-" + shard.count() + ".log");
        try (var console = RunDirectory.Console.open(o.out(), log); var data = new DataCache(o.dataBase())) {
            PrintStream out = console.out();
            Tuning tuning = Tuning.run(plan, dir, data, info, o, out); // prepared: reads the searches' best.json
            Map<String, Pretraining.Encoder> encoders = Pretraining.ensureAll(plan, data, dir, o.dataBase(), info.device(), out, o.terminal());
            JobRunner jobs = new JobRunner(data, dir, info, o, out, console.log());
            int mine = 0, ran = 0;
            for (int k = 0; k < plan.jobs().size(); k++) {
                if (!shard.owns(k)) continue;
                mine++;
                Job job = plan.jobs().get(k);
                var earlier = RunFiles.readOutcome(RunFiles.jobDir(dir, job.id()));
                if (earlier.isPresent() && earlier.get().isDone()) {
                    out.println("job " + job.id() + ": done earlier, kept");
                    continue;
                }
                var result = jobs.run(tuning.recipe(plan, job), job, encoders.get(job.variant()));
                if (result.isEmpty()) out.println("job " + job.id() + ": another process holds its lock (a shard with the same index?), left to it");
                else ran++;
            }
            out.printf(Locale.ROOT, "shard %s of %s on %s: %d of %d job(s) are this shard's, %d run now%n", shard, dir, info.device(), mine, plan.jobs().size(), ran);
            return Runner.merge(dir, plan, data, out, false);
        }
    }
}
