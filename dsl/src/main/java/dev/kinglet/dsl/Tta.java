package dev.kinglet.dsl;

import java.util.List;

/**
 * Test-time augmentation: the prediction averages {@code views} augmented views (through
 * {@code ops}, default: the train pipeline without MixUp/CutMix), mixed with the plain
 * prediction as fastai does: {@code plainWeight * plain + (1 - plainWeight) * mean(views)}.
 * {@code views: 0} turns it off (the default).
 */
public record Tta(Integer views, Double plainWeight, List<AugmentOp> ops) {
    public Tta {
        views = views == null ? 0 : views;
        plainWeight = plainWeight == null ? 0.25 : plainWeight;
        ops = ops == null ? List.of() : List.copyOf(ops);
        RecipeException.require(views >= 0 && views <= 64, "augment.tta.views", "must be in 0..64, e.g. 4 (0 turns TTA off)");
        RecipeException.require(plainWeight >= 0 && plainWeight <= 1, "augment.tta.plainWeight", "must be in [0, 1], e.g. 0.25");
        for (int i = 0; i < ops.size(); i++) {
            RecipeException.require(!(ops.get(i) instanceof MixUp || ops.get(i) instanceof CutMix), "augment.tta.ops[" + i + "]",
                    "MixUp and CutMix mix labels and belong only in augment.train");
        }
    }
}
