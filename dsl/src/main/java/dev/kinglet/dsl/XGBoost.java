package dev.kinglet.dsl;

/**
 * Gradient-boosted trees through XGBoost ({@code tree_method: hist}), with XGBoost's own
 * defaults: {@code trees} boosting rounds (100), {@code depth} 6, {@code learningRate} (eta) 0.3,
 * {@code subsample} and {@code colsample} (per tree) 1.0. A default baseline for tables.
 */
public record XGBoost(Integer trees, Integer depth, Double learningRate, Double subsample, Double colsample) implements BaselineModel {
    public XGBoost {
        trees = trees == null ? 100 : trees;
        depth = depth == null ? 6 : depth;
        learningRate = learningRate == null ? 0.3 : learningRate;
        subsample = subsample == null ? 1.0 : subsample;
        colsample = colsample == null ? 1.0 : colsample;
        RecipeException.require(trees >= 1 && trees <= 10_000, "baseline.models.trees", "must be in 1..10000, e.g. 100");
        RecipeException.require(depth >= 1 && depth <= 32, "baseline.models.depth", "must be in 1..32, e.g. 6");
        RecipeException.require(learningRate > 0 && learningRate <= 1, "baseline.models.learningRate", "must be in (0, 1], e.g. 0.3");
        RecipeException.require(subsample > 0 && subsample <= 1, "baseline.models.subsample", "must be in (0, 1], e.g. 0.8");
        RecipeException.require(colsample > 0 && colsample <= 1, "baseline.models.colsample", "must be in (0, 1], e.g. 0.8");
    }

    public XGBoost() {
        this(null, null, null, null, null);
    }
}
