package dev.kinglet.dsl;

/** L2-regularised logistic regression; {@code l2} is the penalty weight (default 1e-4). */
public record LogisticRegression(Double l2) implements BaselineModel {
    public LogisticRegression {
        l2 = l2 == null ? 1e-4 : l2;
        RecipeException.require(l2 >= 0, "baseline.models.l2", "must be >= 0, e.g. 0.0001");
    }
}
