package dev.kinglet.dsl;

/**
 * How to train: optimizer, learning-rate schedule, epochs, batch size, and for pretrained
 * models the fine-tuning stages. {@code clipGradNorm} and {@code ema} (decay of an exponential
 * moving average of the weights) are off when left out; {@code precision} is {@code float32}
 * or {@code mixed} (CUDA only: autocast with gradient scaling).
 */
public record Train(Optimizer optimizer, Schedule schedule, Integer epochs, Integer batchSize, FineTune fineTune,
                    Double clipGradNorm, Double ema, String precision, EarlyStopping earlyStopping) {
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
        RecipeException.require(fineTune == null || fineTune.freezeEpochs() < epochs, "train.fineTune.freezeEpochs",
                "must be less than train.epochs (" + epochs + ")");
    }

    public static Train defaults() {
        return new Train(null, null, null, null, null, null, null, null, null);
    }

    public Train(Optimizer optimizer, Integer epochs, Integer batchSize) {
        this(optimizer, null, epochs, batchSize, null, null, null, null, null);
    }

    public Train withOptimizer(Optimizer o) { return new Train(o, schedule, epochs, batchSize, fineTune, clipGradNorm, ema, precision, earlyStopping); }
    public Train withSchedule(Schedule s) { return new Train(optimizer, s, epochs, batchSize, fineTune, clipGradNorm, ema, precision, earlyStopping); }
    public Train withEpochs(int e) { return new Train(optimizer, schedule, e, batchSize, fineTune, clipGradNorm, ema, precision, earlyStopping); }
    public Train withBatchSize(int b) { return new Train(optimizer, schedule, epochs, b, fineTune, clipGradNorm, ema, precision, earlyStopping); }
    public Train withFineTune(FineTune f) { return new Train(optimizer, schedule, epochs, batchSize, f, clipGradNorm, ema, precision, earlyStopping); }
    public Train withEma(Double decay) { return new Train(optimizer, schedule, epochs, batchSize, fineTune, clipGradNorm, decay, precision, earlyStopping); }
    public Train withEarlyStopping(EarlyStopping e) { return new Train(optimizer, schedule, epochs, batchSize, fineTune, clipGradNorm, ema, precision, e); }
}
