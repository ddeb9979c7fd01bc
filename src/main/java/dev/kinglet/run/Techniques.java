package dev.kinglet.run;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import dev.kinglet.data.ImageSet;
import dev.kinglet.dsl.Recipe;
import dev.kinglet.dsl.RecipeException;
import dev.kinglet.dsl.Schedule;
import dev.kinglet.train.EarlyStopper;
import dev.kinglet.train.Ema;
import dev.kinglet.train.Evaluation;
import dev.kinglet.train.Learner;
import dev.kinglet.train.LrSchedule;

/**
 * The techniques of a recipe that ride on a job's training loop as callbacks — weight EMA
 * ({@code train.ema}), early stopping ({@code train.earlyStopping}) and snapshot ensembles
 * ({@code ensemble.snapshots}) — and what each leaves when training ends: {@link #finish()} puts
 * the weights to test and save into the model (the best validated with early stopping, else the
 * averaged with an EMA), {@link #test} turns the snapshots into the job's ensemble, and
 * {@link #results()} is what they add to the job's {@code results.json}.
 */
final class Techniques implements AutoCloseable {
    private final Ema ema;
    private final EarlyStopper earlyStopper;
    private final Snapshots snapshots;
    private Ensembles.Result snapshotEnsemble;
    private Double lastSnapshotAccuracy;

    private Techniques(Ema ema, EarlyStopper earlyStopper, Snapshots snapshots) {
        this.ema = ema;
        this.earlyStopper = earlyStopper;
        this.snapshots = snapshots;
    }

    /**
     * Adds the recipe's techniques to {@code learner}.
     *
     * @param resuming whether the job continues from a checkpoint (else snapshots of an earlier attempt go)
     */
    static Techniques attach(Recipe r, Learner learner, Path jobDir, int validationImages, ImageSet test, ModelFiles.Description description,
                             boolean resuming) throws IOException {
        var train = r.train();
        Techniques weights = forTeacher(r, learner, validationImages);
        Snapshots snapshots = null;
        if (!resuming) Snapshots.delete(jobDir);
        if (r.ensemble().snapshots()) {
            var cycles = LrSchedule.cycleEnds((Schedule.CosineRestarts) train.schedule(), train.epochs()); // the recipe allows no other schedule with snapshots
            snapshots = new Snapshots(learner, weights.ema, test, jobDir, r.output().saveModels() ? description : null, cycles);
            learner.add(snapshots);
        }
        return new Techniques(weights.ema, weights.earlyStopper, snapshots);
    }

    /**
     * Adds the techniques that decide which weights a training ends with — the EMA and early
     * stopping — and none that writes files (snapshots): for self-training's teacher
     * ({@link SelfTraining}), whose weights only predict.
     */
    static Techniques forTeacher(Recipe r, Learner learner, int validationImages) {
        var train = r.train();
        if (train.earlyStopping() != null && validationImages == 0) {
            throw new RecipeException("train.earlyStopping", "needs validation images, but data.split leaves none here (data.split.validation 0, "
                    + "an auto split on at most " + dev.kinglet.dsl.AutoSplit.TINY + " images, or fewer than 2 training images per class); leave earlyStopping out or set data.split: {type: holdout, validation: 0.2}");
        }
        // FixMatch validates and tests the weights' average, as its paper: semiSupervised.ema when train.ema is not set
        Ema ema = train.ema() != null ? new Ema(learner.model(), train.ema())
                : r.semiSupervised() instanceof dev.kinglet.dsl.FixMatch f ? new Ema(learner.model(), f.ema(), true) : null;
        EarlyStopper stopper = train.earlyStopping() == null ? null : new EarlyStopper(learner, train.earlyStopping());
        for (var c : new dev.kinglet.train.Callback[] {ema, stopper}) if (c != null) learner.add(c);
        return new Techniques(ema, stopper, null);
    }

    /** After training: the model holds the weights to test and save. */
    void finish() {
        if (ema != null) ema.useAverage();
        if (earlyStopper != null) earlyStopper.restoreBest();
    }

    /**
     * The job's test result: {@code single}, the final model's, or with snapshots the average of
     * every snapshot's probabilities (the last snapshot is the final model).
     */
    Evaluation test(Evaluation single, String jobId, PrintStream out) throws IOException {
        if (snapshots == null) return single;
        Ensembles.Combined c = snapshots.combine(jobId);
        snapshotEnsemble = c.result();
        lastSnapshotAccuracy = single.accuracy();
        out.printf(Locale.ROOT, "job %s: snapshot ensemble of %d: test accuracy %.2f%% (snapshots %s), mean entropy %.3f, disagreement %.3f%n", jobId,
                c.result().members().size(), 100 * c.result().accuracy(),
                c.result().memberAccuracies().stream().map(a -> String.format(Locale.ROOT, "%.2f", 100 * a)).toList(),
                c.result().meanEntropy(), c.result().meanDisagreement());
        return c.evaluation();
    }

    /** Entries for the job's results.json. */
    Map<String, Object> results() {
        Map<String, Object> m = new LinkedHashMap<>();
        if (ema != null) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("decay", ema.decay());
            if (ema.warmup()) e.put("warmup", "min(decay, (1 + step) / (10 + step))");
            e.put("validatedAndTested", earlyStopper == null ? "averaged weights" : "averaged weights of the best epoch");
            m.put("ema", e);
        }
        if (earlyStopper != null) m.put("earlyStopping", earlyStopper.summary());
        if (snapshotEnsemble != null) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("ensemble", snapshotEnsemble);
            s.put("finalModelTestAccuracy", lastSnapshotAccuracy);
            m.put("snapshotEnsemble", s);
        }
        return m;
    }

    @Override
    public void close() {
        if (ema != null) ema.close();
        if (earlyStopper != null) earlyStopper.close();
    }
}
