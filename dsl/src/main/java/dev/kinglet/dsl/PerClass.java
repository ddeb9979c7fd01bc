package dev.kinglet.dsl;

/** {@code n} labelled images of each class (all of a class that has fewer). */
public record PerClass(Integer n) implements Subset {
    public PerClass {
        RecipeException.require(n != null && n >= 1, "data.subset.n", "must be >= 1 images per class, e.g. 10");
    }
}
