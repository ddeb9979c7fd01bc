package dev.kinglet.dsl;

/** A stratified fraction of the labelled training images. */
public record Fraction(Double fraction) implements Subset {
    public Fraction {
        RecipeException.require(fraction != null && fraction > 0 && fraction <= 1, "data.subset.fraction", "must be in (0, 1], e.g. 0.1");
    }
}
