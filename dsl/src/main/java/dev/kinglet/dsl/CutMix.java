package dev.kinglet.dsl;

/** CutMix (Yun et al.) at batch level: a box of another image pasted in, labels mixed by area. */
public record CutMix(Double alpha, Double p) implements AugmentOp {
    public CutMix {
        alpha = alpha == null ? 1.0 : alpha;
        p = p == null ? 1.0 : p;
        RecipeException.require(alpha > 0 && alpha <= 10, "augment.cutMix.alpha", "must be in (0, 10], e.g. 1.0");
        RecipeException.require(p >= 0 && p <= 1, "augment.cutMix.p", "must be a probability in [0, 1], e.g. 0.5");
    }
}
