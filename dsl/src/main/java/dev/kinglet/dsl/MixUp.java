package dev.kinglet.dsl;

/** MixUp (Zhang et al.) at batch level: images and labels mixed with a Beta({@code alpha}, alpha) weight. */
public record MixUp(Double alpha, Double p) implements AugmentOp {
    public MixUp {
        alpha = alpha == null ? 0.2 : alpha;
        p = p == null ? 1.0 : p;
        RecipeException.require(alpha > 0 && alpha <= 10, "augment.mixUp.alpha", "must be in (0, 10], e.g. 0.2");
        RecipeException.require(p >= 0 && p <= 1, "augment.mixUp.p", "must be a probability in [0, 1], e.g. 1.0");
    }
}
