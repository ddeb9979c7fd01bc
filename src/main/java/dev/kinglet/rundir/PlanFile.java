package dev.kinglet.rundir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnore;

import dev.kinglet.dsl.RecipeException;
import dev.kinglet.util.AtomicFiles;
import dev.kinglet.util.Json;
import dev.kinglet.util.Schemas;

/**
 * {@code plan.json}: the run's jobs in plan order, each with its state and, once done, its
 * test numbers. Written whole by the process that owns the run, read by {@code --resume},
 * shards and the report. Its schema is {@code plan.schema.json}, generated from these records.
 */
public record PlanFile(String summary, List<Entry> jobs) {
    public static final String FILE = "plan.json", SCHEMA = "plan.schema.json";

    public PlanFile {
        jobs = List.copyOf(jobs);
    }

    /** One job and its recorded outcome. */
    public record Entry(String id, JobState state, Double testAccuracy, Double testLoss, Double testR2, Double trainSeconds, String error, Job job) {
        public static Entry of(Job job, JobResult r) {
            return new Entry(job.id(), r.state(), r.testAccuracy(), r.testLoss(), r.testR2(), r.trainSeconds(), r.error(), job);
        }

        @JsonIgnore
        public JobResult result() {
            return new JobResult(id, state, testAccuracy, testLoss, trainSeconds, error, testR2);
        }
    }

    /** The plan file of {@code jobs} with the results known so far ({@code results} maps ids to outcomes; a job without one is pending). */
    public static PlanFile of(String summary, List<Job> jobs, Map<String, JobResult> results) {
        List<Entry> entries = new ArrayList<>();
        for (Job job : jobs) entries.add(Entry.of(job, results.getOrDefault(job.id(), JobResult.of(job.id(), JobState.PENDING))));
        return new PlanFile(summary, entries);
    }

    public static boolean exists(Path runDir) {
        return Files.isRegularFile(runDir.resolve(FILE));
    }

    public static PlanFile read(Path runDir) throws IOException {
        Path f = runDir.resolve(FILE);
        if (!Files.isRegularFile(f)) throw new RecipeException("report", runDir + " is not a run directory: it has no " + FILE);
        try {
            return Json.PRETTY.readValue(f.toFile(), PlanFile.class);
        } catch (tools.jackson.core.JacksonException e) {
            throw new IOException(f + " is not a Kinglet plan file (see " + SCHEMA + "): " + e.getOriginalMessage(), e);
        }
    }

    /** Writes plan.json whole (and its schema beside it, once). */
    public void write(Path runDir) throws IOException {
        if (!Files.exists(runDir.resolve(SCHEMA))) AtomicFiles.writeString(runDir.resolve(SCHEMA), schema());
        AtomicFiles.writeString(runDir.resolve(FILE), Json.PRETTY.writeValueAsString(this));
    }

    /** Every job with the outcome it recorded in its directory, where it did (see {@link RunFiles#recorded}). */
    public List<JobResult> recorded(Path runDir) throws IOException {
        List<JobResult> out = new ArrayList<>();
        for (Entry e : jobs) out.add(RunFiles.recorded(runDir, e));
        return out;
    }

    public static String schema() {
        return Schemas.json(PlanFile.class, "https://kinglet.dev/schema/plan.json", "Kinglet run plan");
    }
}
