package dev.kinglet.dsl;

/**
 * How to train: optimizer, learning-rate schedule, epochs, batch size, and for pretrained
 * models the fine-tuning stages. {@code clipGradNorm} and {@code ema} (decay of an exponential
 * moving average of the weights) are off when left out; {@code precision} is {@code float32}
 * or {@code mixed} (CUDA only: autocast with gradient scaling).
 * <p>
 * Budgets in optimiser steps, for data whose size the recipe does not know: {@code steps} (when
 * set it replaces {@code epochs}: each job trains ⌈steps / steps per epoch⌉ epochs of its own
 * training images) and {@code minSteps} (a floor: a job whose {@code epochs} come to fewer steps
 * trains more epochs, so that 100 images at batch 32 are not silently a 90-step run). Both are
 * resolved per job by {@link #forStepsPerEpoch}, which the job line reports. {@code
 * validateEverySteps} validates at the end of each epoch in which the step count reaches a
 * multiple of it, and after the last epoch (left out: every epoch, or about 20 times a job
 * when a step budget sets its epochs).
 */
public record Train(Optimizer optimizer, Schedule schedule, Integer epochs, Integer batchSize, FineTune fineTune,
                    Double clipGradNorm, Double ema, String precision, EarlyStopping earlyStopping,
                    Integer steps, Integer minSteps, Integer validateEverySteps) {
    /** Validations a job gets when a step budget set its epochs and validateEverySteps is left out. */
    public static final int VALIDATIONS_PER_BUDGET = 20;

    public Train {
        optimizer = optimizer == null ? new Adam(null, null) : optimizer;
        schedule = schedule == null ? new OneCycle(null, null, null) : schedule;
        epochs = epochs == null ? 10 : epochs;
        batchSize = batchSize == null ? 64 : batchSize;
        precision = precision == null ? "float32" : precision;
        RecipeException.require(epochs >= 1 && epochs <= 100_000, "train.epochs", "must be >= 1, e.g. 10");
        RecipeException.require(batchSize >= 1 && batchSize <= 65536, "train.batchSize", "must be in 1..65536, e.g. 64");
        RecipeException.require(clipGradNorm == null || clipGradNorm > 0, "train.clipGradNorm", "must be > 0, e.g. 1.0, or left out");
        RecipeException.require(ema == null || (ema > 0 && ema < 1), "train.ema", "must be a decay in (0, 1), e.g. 0.999, or left out");
        RecipeException.require(precision.equals("float32") || precision.equals("mixed"), "train.precision",
                "'" + precision + "' is not float32 or mixed");
        RecipeException.require(fineTune == null || steps != null || minSteps != null || fineTune.freezeEpochs() < epochs, "train.fineTune.freezeEpochs",
                "must be less than train.epochs (" + epochs + ")");
        RecipeException.require(steps == null || (steps >= 1 && steps <= 100_000_000), "train.steps", "must be >= 1, e.g. 1500, or left out to train by train.epochs");
        RecipeException.require(minSteps == null || (minSteps >= 1 && minSteps <= 100_000_000), "train.minSteps", "must be >= 1, e.g. 1000, or left out");
        RecipeException.require(steps == null || minSteps == null, "train.minSteps", "is a floor under train.epochs; with train.steps set it has no effect: keep one");
        RecipeException.require(validateEverySteps == null || validateEverySteps >= 1, "train.validateEverySteps", "must be >= 1, e.g. 100, or left out");
    }

    public Train(Optimizer optimizer, Schedule schedule, Integer epochs, Integer batchSize, FineTune fineTune,
                 Double clipGradNorm, Double ema, String precision, EarlyStopping earlyStopping) {
        this(optimizer, schedule, epochs, batchSize, fineTune, clipGradNorm, ema, precision, earlyStopping, null, null, null);
    }

    /** Whether a step budget decides the epochs ({@code steps} or {@code minSteps} set). */
    public boolean budgetInSteps() {
        return steps != null || minSteps != null;
    }

    /**
     * This training for a job of {@code stepsPerEpoch} optimiser steps per epoch: {@code epochs}
     * from {@code steps}, or raised to reach {@code minSteps}, and {@code validateEverySteps} made
     * explicit when a budget set the epochs. Without a budget: this training as it is.
     */
    public Train forStepsPerEpoch(int stepsPerEpoch) {
        if (!budgetInSteps()) return this;
        int spe = Math.max(1, stepsPerEpoch);
        int e = steps != null ? ceilDiv(steps, spe) : Math.max(epochs, ceilDiv(minSteps, spe));
        if (e > 100_000) {
            throw new RecipeException(steps != null ? "train.steps" : "train.minSteps", "gives " + e + " epochs of " + spe
                    + " step(s) for this job: at most 100,000 epochs; lower it");
        }
        if (fineTune != null && fineTune.freezeEpochs() >= e) {
            throw new RecipeException("train.fineTune.freezeEpochs", "is " + fineTune.freezeEpochs() + ", but the step budget gives this job only " + e
                    + " epoch(s) of " + spe + " steps: raise train." + (steps != null ? "steps" : "minSteps") + " or lower freezeEpochs");
        }
        int every = validateEverySteps != null ? validateEverySteps : Math.max(spe, ceilDiv(e * spe, VALIDATIONS_PER_BUDGET));
        return new Train(optimizer, schedule, e, batchSize, fineTune, clipGradNorm, ema, precision, earlyStopping, null, null, every);
    }

    /** What the job line says of {@link #forStepsPerEpoch}: how the budget became epochs. */
    public String budgetNote(int stepsPerEpoch, int images) {
        if (!budgetInSteps()) return "";
        Train t = forStepsPerEpoch(stepsPerEpoch);
        String from = steps != null ? "train.steps " + steps + ":" : "train.minSteps " + minSteps + (t.epochs() > epochs ? " raised train.epochs " + epochs + " to" : " kept train.epochs");
        return from + " " + t.epochs() + " epochs of " + stepsPerEpoch + " steps (" + images + " images, batch " + batchSize + "; "
                + t.epochs() * stepsPerEpoch + " steps), validation every " + t.validateEverySteps() + " steps";
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    public static Train defaults() {
        return new Train(null, null, null, null, null, null, null, null, null, null, null, null);
    }

    public Train(Optimizer optimizer, Integer epochs, Integer batchSize) {
        this(optimizer, null, epochs, batchSize, null, null, null, null, null);
    }

    public Train withOptimizer(Optimizer o) { return new Train(o, schedule, epochs, batchSize, fineTune, clipGradNorm, ema, precision, earlyStopping, steps, minSteps, validateEverySteps); }
    public Train withSchedule(Schedule s) { return new Train(optimizer, s, epochs, batchSize, fineTune, clipGradNorm, ema, precision, earlyStopping, steps, minSteps, validateEverySteps); }
    public Train withEpochs(int e) { return new Train(optimizer, schedule, e, batchSize, fineTune, clipGradNorm, ema, precision, earlyStopping, steps, minSteps, validateEverySteps); }
    public Train withBatchSize(int b) { return new Train(optimizer, schedule, epochs, b, fineTune, clipGradNorm, ema, precision, earlyStopping, steps, minSteps, validateEverySteps); }
    public Train withFineTune(FineTune f) { return new Train(optimizer, schedule, epochs, batchSize, f, clipGradNorm, ema, precision, earlyStopping, steps, minSteps, validateEverySteps); }
    public Train withEma(Double decay) { return new Train(optimizer, schedule, epochs, batchSize, fineTune, clipGradNorm, decay, precision, earlyStopping, steps, minSteps, validateEverySteps); }
    public Train withSteps(Integer n) { return new Train(optimizer, schedule, epochs, batchSize, fineTune, clipGradNorm, ema, precision, earlyStopping, n, minSteps, validateEverySteps); }
    public Train withMinSteps(Integer n) { return new Train(optimizer, schedule, epochs, batchSize, fineTune, clipGradNorm, ema, precision, earlyStopping, steps, n, validateEverySteps); }
    public Train withEarlyStopping(EarlyStopping e) { return new Train(optimizer, schedule, epochs, batchSize, fineTune, clipGradNorm, ema, precision, e, steps, minSteps, validateEverySteps); }
}
