package dev.kinglet.dsl;

/** A stratified validation share of the training data, drawn {@code repeats} times with different seeds. */
public record Holdout(Double validation, Integer repeats) implements Split {
    public Holdout {
        validation = validation == null ? 0.2 : validation;
        repeats = repeats == null ? 1 : repeats;
        RecipeException.require(validation > 0 && validation < 1, "data.split.validation", "must be in (0, 1), e.g. 0.2");
        RecipeException.require(repeats >= 1 && repeats <= 1000, "data.split.repeats", "must be in 1..1000, e.g. 5");
    }

    @Override
    public int folds() {
        return repeats;
    }
}
