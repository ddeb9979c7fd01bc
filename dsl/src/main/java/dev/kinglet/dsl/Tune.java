package dev.kinglet.dsl;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import tools.jackson.databind.JsonNode;

/**
 * Hyper-parameter search before the final training (asynchronous successive halving, Li et al.
 * 2018). {@code space} maps any numeric recipe path ({@code train.optimizer.lr},
 * {@code augment.train[2].degrees}) to a {@link TuneRange}. Up to {@code trials}
 * configurations, sampled {@code random}ly or from a scrambled {@code sobol} sequence, train
 * for at most {@code epochs} (default: train.epochs) on a stratified {@code validation} share of
 * the labelled training images and are scored on the rest by {@code metric}; at every rung
 * ({@code graceEpochs * reduction^k} epochs) a trial continues only if it is in the top
 * {@code 1/reduction} of the trials that reached that rung so far. {@code workers} trials run at
 * once, each on its own thread with its own network (LibTorch's intra-op threads are divided
 * between them); none starts after {@code maxMinutes}. The test split is never seen. The final
 * jobs then train with the best configuration on all labelled images (train + validation).
 * With one worker a search is reproducible; with more, trials draw dropout from the one
 * process-wide generator in whatever order they run, so their curves may differ run to run.
 * <p>
 * At tiny sizes one validation share is noise (20 images score a trial at 10 per class):
 * {@code folds} K above 1 scores every trial by stratified K-fold cross-validation on the
 * labelled images instead — the trial trains K times, once per fold, and its curve is the mean
 * of the K validation curves, which ASHA ranks (the folds train to the trial's end: ASHA then
 * chooses, it no longer saves time). Left out, K is 5 when a point has at most
 * {@link AutoSplit#TINY} labelled images and 1 (the {@code validation} share) above.
 * {@code graceSteps} gives the first rung in optimiser steps (as {@code train.steps} gives the
 * budget): it becomes {@code graceEpochs} on the search's own images; give one of the two.
 */
public record Tune(Map<String, TuneRange> space, Integer trials, Integer epochs, Integer graceEpochs, Integer reduction, Integer workers,
                   Double maxMinutes, String metric, String sampler, Double validation, Integer folds, Integer graceSteps) {
    private static final Set<String> METRICS = Set.of("accuracy", "balancedAccuracy", "loss");

    public Tune {
        space = space == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(space));
        RecipeException.require(!space.isEmpty(), "tune.space",
                "is empty: name what to search, e.g. {train.optimizer.lr: {logUniform: [1e-4, 1e-1]}}");
        for (var e : space.entrySet()) {
            String p = e.getKey();
            RecipeException.require(e.getValue() != null, "tune.space." + p, "needs a range, e.g. {uniform: [0, 30]}");
            RecipeException.require(!(p.equals("tune") || p.startsWith("tune.") || p.startsWith("variants") || p.equals("name")
                    || p.equals("description") || p.equals("seed")), "tune.space." + p, "cannot be tuned: only numeric settings of the recipe can");
        }
        RecipeException.require(graceEpochs == null || graceSteps == null, "tune.graceSteps", "and tune.graceEpochs both give the first rung: keep one");
        RecipeException.require(graceSteps == null || graceSteps >= 1, "tune.graceSteps", "must be >= 1 optimiser steps, e.g. 100");
        RecipeException.require(folds == null || (folds >= 1 && folds <= 20), "tune.folds", "must be in 1..20 (1: the tune.validation share), e.g. 5, or left out for 5 on at most "
                + AutoSplit.TINY + " labelled images");
        trials = trials == null ? 16 : trials;
        graceEpochs = graceEpochs == null && graceSteps == null ? Integer.valueOf(1) : graceEpochs; // null under graceSteps
        reduction = reduction == null ? 3 : reduction;
        workers = workers == null ? 1 : workers;
        metric = metric == null ? "accuracy" : metric;
        sampler = sampler == null ? "sobol" : sampler;
        validation = validation == null ? 0.2 : validation;
        RecipeException.require(trials >= 1 && trials <= 100_000, "tune.trials", "must be in 1..100000, e.g. 16");
        RecipeException.require(epochs == null || (epochs >= 1 && epochs <= 100_000), "tune.epochs", "must be >= 1, e.g. 20, or left out to take train.epochs");
        RecipeException.require(graceEpochs == null || graceEpochs >= 1, "tune.graceEpochs", "must be >= 1, e.g. 2");
        RecipeException.require(epochs == null || graceEpochs == null || graceEpochs <= epochs, "tune.graceEpochs", "must be <= tune.epochs (" + epochs + ")");
        RecipeException.require(reduction >= 2 && reduction <= 100, "tune.reduction", "must be in 2..100, e.g. 3");
        RecipeException.require(workers >= 1 && workers <= 1024, "tune.workers", "must be >= 1, e.g. 1 (one trial at a time)");
        RecipeException.require(maxMinutes == null || maxMinutes > 0, "tune.maxMinutes", "must be > 0, e.g. 30, or left out for no time limit");
        RecipeException.require(METRICS.contains(metric), "tune.metric", "'" + metric + "' is not one of accuracy, balancedAccuracy, loss");
        RecipeException.require(sampler.equals("random") || sampler.equals("sobol"), "tune.sampler", "'" + sampler + "' is not random or sobol");
        RecipeException.require(validation > 0 && validation < 1, "tune.validation", "must be in (0, 1), e.g. 0.2");
    }

    /** A search over {@code space} with every other setting at its default. */
    public static Tune of(Map<String, TuneRange> space) {
        return new Tune(space, null, null, null, null, null, null, null, null, null, null, null);
    }

    public Tune withBudget(int trials, int epochs, int graceEpochs, int reduction) {
        return new Tune(space, trials, epochs, graceEpochs, reduction, workers, maxMinutes, metric, sampler, validation, folds, null);
    }

    public Tune withWorkers(int w) { return new Tune(space, trials, epochs, graceEpochs, reduction, w, maxMinutes, metric, sampler, validation, folds, graceSteps); }
    public Tune withMaxMinutes(Double m) { return new Tune(space, trials, epochs, graceEpochs, reduction, workers, m, metric, sampler, validation, folds, graceSteps); }
    public Tune withMetric(String m) { return new Tune(space, trials, epochs, graceEpochs, reduction, workers, maxMinutes, m, sampler, validation, folds, graceSteps); }
    public Tune withSampler(String s) { return new Tune(space, trials, epochs, graceEpochs, reduction, workers, maxMinutes, metric, s, validation, folds, graceSteps); }
    public Tune withValidation(double v) { return new Tune(space, trials, epochs, graceEpochs, reduction, workers, maxMinutes, metric, sampler, v, folds, graceSteps); }
    public Tune withFolds(Integer k) { return new Tune(space, trials, epochs, graceEpochs, reduction, workers, maxMinutes, metric, sampler, validation, k, graceSteps); }
    public Tune withGraceSteps(int steps) { return new Tune(space, trials, epochs, null, reduction, workers, maxMinutes, metric, sampler, validation, folds, steps); }

    /** This search with its first rung resolved to epochs for {@code stepsPerEpoch} (see {@link #graceEpochsAt}). */
    public Tune atStepsPerEpoch(int stepsPerEpoch) {
        return new Tune(space, trials, epochs, graceEpochsAt(stepsPerEpoch), reduction, workers, maxMinutes, metric, sampler, validation, folds, null);
    }

    /** The first rung in epochs: {@code graceSteps} over {@code stepsPerEpoch} (rounded up) if given in steps, else {@code graceEpochs}. */
    public int graceEpochsAt(int stepsPerEpoch) {
        return graceSteps == null ? graceEpochs : (graceSteps + stepsPerEpoch - 1) / stepsPerEpoch;
    }

    /** The folds that score trials on {@code labelled} images: {@code folds}, else 5 on at most {@link AutoSplit#TINY} and 1 above. */
    public int foldsFor(int labelled) {
        return folds != null ? folds : labelled <= AutoSplit.TINY ? 5 : 1;
    }

    /** True if a larger {@link #metric} is better. */
    public boolean maximize() {
        return !metric.equals("loss");
    }

    /**
     * Checks every path of {@link #space} against the recipe's tree (defaults filled in): it must
     * exist and hold a number (or nothing yet), and an integer field takes only whole choices.
     */
    void checkPaths(JsonNode recipe) {
        for (var e : space.entrySet()) {
            String where = "tune.space." + e.getKey();
            JsonNode at;
            try {
                at = RecipeIo.valueAt(recipe, e.getKey());
            } catch (RecipeException bad) {
                throw new RecipeException(where, bad.getMessage().substring(bad.path().length() + 2));
            }
            RecipeException.require(at.isNumber() || at.isNull(), where,
                    "is not a number in this recipe (it is " + at + "): only numeric settings can be tuned");
            TuneRange r = e.getValue();
            if (at.isIntegralNumber() && r.choice() != null) {
                RecipeException.require(r.choice().stream().allMatch(v -> v == Math.rint(v)), where,
                        "is a whole number: give whole choices, e.g. {choice: [16, 32, 64]}");
            }
        }
    }
}
