package dev.kinglet.rundir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import dev.kinglet.dsl.Recipe;
import dev.kinglet.dsl.RecipeException;
import dev.kinglet.dsl.RecipeIo;
import dev.kinglet.util.AtomicFiles;
import dev.kinglet.util.Json;


/**
 * The names in a run directory that more than one part of Kinglet reads, and a job's
 * {@code outcome.json}: what the job's own process recorded when it finished, before the
 * process that owns the run collected it into plan.json.
 */
public final class RunFiles {
    public static final String RECIPE = "recipe.json", NOTICES = "notices.json", AUGMENT_PREVIEW = "augment-preview.png",
            TUNING = "tune/summary.json", OUTCOME = "outcome.json", JOBS = "jobs", RUN_LOG = "run.log";

    private RunFiles() {}

    /** The recipe the run in {@code runDir} runs (recipe.json, defaults and choices filled in); {@code option} names what asked, for the error. */
    public static Recipe recipe(Path runDir, String option) throws IOException {
        Path file = runDir.resolve(RECIPE);
        if (!Files.isRegularFile(file)) throw new RecipeException(option, runDir + " is not a run directory (no " + RECIPE + ")");
        return RecipeIo.fromJson(Files.readString(file), file.toString());
    }

    public static Path jobDir(Path runDir, String id) {
        return runDir.resolve(JOBS).resolve(id);
    }

    /** The outcome the job recorded in {@code jobDir}, if it finished (done or failed). */
    public static Optional<JobResult> readOutcome(Path jobDir) throws IOException {
        Path f = jobDir.resolve(OUTCOME);
        if (!Files.isRegularFile(f)) return Optional.empty();
        return Optional.of(Json.PRETTY.readValue(f.toFile(), JobResult.class));
    }

    public static void writeOutcome(Path jobDir, JobResult r) throws IOException {
        Files.createDirectories(jobDir);
        AtomicFiles.writeString(jobDir.resolve(OUTCOME), Json.PRETTY.writeValueAsString(r));
    }

    /**
     * The state of {@code entry}'s job: the outcome the job recorded, if any, else plan.json's. A
     * worker or shard records its job's outcome before the run collects it into plan.json, so
     * this counts what they finished in a run that was killed.
     */
    public static JobResult recorded(Path runDir, PlanFile.Entry entry) throws IOException {
        return readOutcome(jobDir(runDir, entry.id())).orElse(entry.result());
    }
}
