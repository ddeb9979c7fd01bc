package dev.kinglet.dsl;

/** Cross-entropy, with label smoothing {@code labelSmoothing} (default 0). */
public record CrossEntropy(Double labelSmoothing) implements Loss {
    public CrossEntropy {
        labelSmoothing = labelSmoothing == null ? 0.0 : labelSmoothing;
        RecipeException.require(labelSmoothing >= 0 && labelSmoothing < 1, "loss.labelSmoothing", "must be in [0, 1), e.g. 0.1");
    }
}
