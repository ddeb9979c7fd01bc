package dev.kinglet.run;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import dev.kinglet.data.ImageSet;
import dev.kinglet.rundir.Job;
import dev.kinglet.rundir.JobResult;
import dev.kinglet.train.Learner;
import dev.kinglet.train.RegressionEvaluation;
import dev.kinglet.util.AtomicFiles;
import dev.kinglet.util.Json;

/**
 * The end of a regression job: its test metrics (MAE, RMSE and R² per target and averaged) in
 * the job's {@code results.json}, its model saved, and its summary line. A run summarises the
 * mean R² over the targets as it does test accuracy for classification.
 */
final class RegressionJobs {
    private RegressionJobs() {}

    /**
     * Tests the trained {@code learner} on {@code test}, saves the model described by {@code model} when {@code save}, writes
     * results.json with {@code techniques}' entries (EMA, early stopping).
     */
    static JobResult finish(Learner learner, ImageSet test, Job job, Path jobDir, ModelFiles.Description model, boolean save,
                                   double seconds, Map<String, Object> techniques, PrintStream out) throws IOException {
        RegressionEvaluation e = learner.evaluateRegression(test);
        if (save) ModelFiles.save(jobDir, learner.model(), model.withTargetScaling(learner.targetScaling()));
        Checkpoints.delete(jobDir); // the job is done: its model is saved, nothing left to resume
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("job", job);
        r.put("testR2", e.meanR2());
        r.put("testMse", e.loss());
        r.put("testImages", e.images());
        r.put("test", e.table());
        r.put("trainImages", learner.trainImages());
        r.put("trainSeconds", seconds);
        r.put("parameters", learner.model().parameterCount());
        r.put("normalization", Map.of("mean", model.normalization().mean(), "std", model.normalization().std()));
        r.put("targetScaling", Map.of("mean", learner.targetScaling().mean(), "std", learner.targetScaling().std()));
        r.putAll(techniques);
        AtomicFiles.writeString(jobDir.resolve("results.json"), Json.PRETTY.writeValueAsString(r));
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "job %s: test R² %.4f, MAE %.4f, RMSE %.4f (%d images; ", job.id(),
                e.meanR2(), e.meanMae(), e.meanRmse(), e.images()));
        for (int j = 0; j < e.targets().size(); j++) {
            line.append(String.format(Locale.ROOT, "%s%s R² %.4f MAE %.4f", j == 0 ? "" : ", ", e.targets().get(j), e.r2()[j], e.mae()[j]));
        }
        out.println(line.append(String.format(Locale.ROOT, "), trained in %.1f s", seconds)));
        return JobResult.regressed(job.id(), e.meanR2(), e.loss(), seconds);
    }
}
