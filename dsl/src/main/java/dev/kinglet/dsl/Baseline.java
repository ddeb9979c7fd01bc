package dev.kinglet.dsl;

import java.util.List;

/**
 * Simple models trained on the same splits and subsets as the deep jobs; every deep result is
 * reported as lift over the best of them. Default: random forest and logistic regression on
 * raw pixels.
 */
public record Baseline(List<BaselineModel> models, Features features) {
    public Baseline {
        models = models == null ? List.of(new RandomForest(null), new LogisticRegression(null)) : List.copyOf(models);
        features = features == null ? new PixelFeatures(null) : features;
    }

    /** The default for a table: random forest, XGBoost and logistic regression on the encoded features. */
    public static Baseline forTables() {
        return new Baseline(java.util.List.of(new RandomForest(null), new XGBoost(), new LogisticRegression(null)), null);
    }

    public static Baseline defaults() {
        return new Baseline(null, null);
    }

    /** No baseline (not recommended: results then have nothing to be compared with). */
    public static Baseline none() {
        return new Baseline(List.of(), null);
    }
}
