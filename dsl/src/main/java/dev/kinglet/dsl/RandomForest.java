package dev.kinglet.dsl;

/**
 * A random forest of {@code trees} trees. Default 100: Tribuo grows a tree of 784 pixel features
 * on 800 images in about 0.4 CPU-seconds, so DESIGN.md's 500 trees cost over a minute per split on
 * 2 cores; set 500 to reproduce that table.
 */
public record RandomForest(Integer trees) implements BaselineModel {
    public RandomForest {
        trees = trees == null ? 100 : trees;
        RecipeException.require(trees >= 1 && trees <= 10_000, "baseline.models.trees", "must be in 1..10000, e.g. 100");
    }
}
