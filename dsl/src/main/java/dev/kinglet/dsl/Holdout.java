package dev.kinglet.dsl;

/**
 * A stratified validation share of the training data, drawn {@code repeats} times with different
 * seeds. {@code validation: 0} keeps no validation image: every job trains on all its labelled
 * images, and the repeats differ only in initialisation, batch order and augmentation draws
 * (nothing can then be chosen on validation: early stopping is refused).
 */
public record Holdout(Double validation, Integer repeats) implements Split {
    public Holdout {
        validation = validation == null ? 0.2 : validation;
        repeats = repeats == null ? 1 : repeats;
        RecipeException.require(validation >= 0 && validation < 1, "data.split.validation", "must be in [0, 1), e.g. 0.2 (0: train on all labelled images)");
        RecipeException.require(repeats >= 1 && repeats <= 1000, "data.split.repeats", "must be in 1..1000, e.g. 5");
    }

    @Override
    public int folds() {
        return repeats;
    }
}
