package dev.kinglet.augment;

import java.util.List;
import java.util.Optional;

import dev.kinglet.dsl.Augment;
import dev.kinglet.dsl.AugmentOp;
import dev.kinglet.dsl.RecipeException;
import dev.kinglet.natives.Normalization;

/**
 * The recipe's train and eval pipelines, kept apart so evaluation never sees training
 * augmentation, and the normalisation they share: the recipe's {@code normalize} op if it has
 * one (the same in both pipelines), else the training images' own statistics.
 */
public record Pipelines(Augmenter train, Augmenter eval, Augmenter tta, Optional<Normalization> normalization) {

    public static Pipelines of(Augment augment, List<String> classes) {
        return of(augment, classes, List.of());
    }

    /** @param targets the names of the regression targets, whose label rules every pipeline checks; empty for classification */
    public static Pipelines of(Augment augment, List<String> classes, List<String> targets) {
        Optional<Normalization> trainNorm = normalize(augment.train(), "augment.train");
        Optional<Normalization> evalNorm = normalize(augment.eval(), "augment.eval");
        if (!trainNorm.equals(evalNorm)) {
            throw new RecipeException("augment.eval", "normalize must be the same in augment.train and augment.eval (or in neither): "
                    + "train has " + trainNorm.map(Object::toString).orElse("none") + ", eval has " + evalNorm.map(Object::toString).orElse("none"));
        }
        // TTA views go through augment.tta.ops, or the train pipeline (MixUp and CutMix left out) when none are given
        var ttaOps = augment.tta().ops().isEmpty() ? augment.train() : augment.tta().ops();
        return new Pipelines(new Augmenter(augment.train(), classes, targets, "augment.train"), new Augmenter(augment.eval(), classes, targets, "augment.eval"),
                new Augmenter(ttaOps, classes, targets, augment.tta().ops().isEmpty() ? "augment.train" : "augment.tta.ops"), trainNorm);
    }

    private static Optional<Normalization> normalize(List<AugmentOp> ops, String path) {
        Optional<Normalization> found = Optional.empty();
        for (int i = 0; i < ops.size(); i++) {
            if (ops.get(i) instanceof AugmentOp.Normalize n) {
                if (i != ops.size() - 1) throw new RecipeException(path + "[" + i + "]", "normalize must be the last op of the pipeline");
                float[] mean = new float[n.mean().size()], std = new float[n.std().size()];
                for (int k = 0; k < mean.length; k++) {
                    mean[k] = n.mean().get(k).floatValue();
                    std[k] = n.std().get(k).floatValue();
                }
                found = Optional.of(new Normalization(mean, std));
            }
        }
        return found;
    }
}
