package dev.kinglet.dsl;

/** A random forest of {@code trees} trees (default 500, as in DESIGN.md's baseline table). */
public record RandomForest(Integer trees) implements BaselineModel {
    public RandomForest {
        trees = trees == null ? 500 : trees;
        RecipeException.require(trees >= 1 && trees <= 10_000, "baseline.models.trees", "must be in 1..10000, e.g. 500");
    }
}
