package dev.kinglet.dsl;

/** Stratified k-fold cross-validation, repeated {@code repeats} times with different shuffles. */
public record KFold(Integer k, Integer repeats) implements Split {
    public KFold {
        k = k == null ? 5 : k;
        repeats = repeats == null ? 1 : repeats;
        RecipeException.require(k >= 2 && k <= 100, "data.split.k", "must be in 2..100, e.g. 5");
        RecipeException.require(repeats >= 1 && repeats <= 100, "data.split.repeats", "must be in 1..100, e.g. 3");
    }

    @Override
    public int folds() {
        return k * repeats;
    }
}
