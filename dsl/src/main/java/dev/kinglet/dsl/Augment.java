package dev.kinglet.dsl;

import java.util.List;

/**
 * Three separate pipelines, so an evaluation never sees training augmentation by accident:
 * {@code train} (random ops, MixUp/CutMix at batch level), {@code eval} (deterministic:
 * resize, crop, normalise) and test-time augmentation ({@code tta}).
 */
public record Augment(List<AugmentOp> train, List<AugmentOp> eval, Tta tta) {
    public Augment {
        train = train == null ? List.of() : List.copyOf(train);
        eval = eval == null ? List.of() : List.copyOf(eval);
        for (int i = 0; i < eval.size(); i++) {
            AugmentOp op = eval.get(i);
            RecipeException.require(op.deterministic(), "augment.eval[" + i + "]",
                    op.getClass().getSimpleName() + " is random; the eval pipeline takes only resize, centerCrop, pad, grayscale and normalize (put random ops in augment.train or augment.tta)");
        }
        tta = tta == null ? new Tta(null, null, null) : tta;
    }

    public static Augment none() {
        return new Augment(null, null, null);
    }

    public Augment withTrain(AugmentOp... ops) { return new Augment(List.of(ops), eval, tta); }
    public Augment withEval(AugmentOp... ops) { return new Augment(train, List.of(ops), tta); }
    public Augment withTta(Tta t) { return new Augment(train, eval, t); }
}
