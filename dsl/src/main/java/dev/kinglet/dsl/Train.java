package dev.kinglet.dsl;

/** How to train: optimizer, epochs and batch size. */
public record Train(Optimizer optimizer, Integer epochs, Integer batchSize) {
    public Train {
        optimizer = optimizer == null ? new Adam(null, null) : optimizer;
        epochs = epochs == null ? 10 : epochs;
        batchSize = batchSize == null ? 64 : batchSize;
        RecipeException.require(epochs >= 1, "train.epochs", "must be >= 1, e.g. 10");
        RecipeException.require(batchSize >= 1 && batchSize <= 65536, "train.batchSize", "must be in 1..65536, e.g. 64");
    }

    public static Train defaults() {
        return new Train(null, null, null);
    }

    public Train withOptimizer(Optimizer o) { return new Train(o, epochs, batchSize); }
    public Train withEpochs(int e) { return new Train(optimizer, e, batchSize); }
    public Train withBatchSize(int b) { return new Train(optimizer, epochs, b); }
}
