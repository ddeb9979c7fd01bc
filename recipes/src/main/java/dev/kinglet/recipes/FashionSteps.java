package dev.kinglet.recipes;

import java.util.List;

import dev.kinglet.dsl.AugmentOp;
import dev.kinglet.dsl.LearningCurve;
import dev.kinglet.dsl.Recipe;
import dev.kinglet.dsl.RecipeProvider;
import dev.kinglet.dsl.Variant;

/**
 * Epochs against a budget of optimiser steps at 10 labelled images per class, on
 * {@link FashionLadder}'s data and base (small CNN, Adam, one-cycle, batch 32): the base's 30
 * epochs of 100 images are 90 steps; {@code steps} trains the same network for
 * {@code train.steps: 1500} (375 epochs of 4 steps, validated 20 times instead of after each); {@code
 * steps-augment} adds flips, shifts and random erasing, the augmentation a plain PyTorch
 * script of the same recipe used. Same draws, initialisation and batch order per seed (paired).
 * Numbers: README, "Step budgets".
 */
public final class FashionSteps implements RecipeProvider {
    @Override
    public Recipe recipe() {
        Recipe base = new FashionLadder().recipe().withVariants().withName("fashion-steps")
                .withDescription("Epochs (30: 90 steps) against train.steps 1500 at 10 labelled Fashion-MNIST images per class, 3 seeds, official test set")
                .withLearningCurve(new LearningCurve(List.of(10), null, 3, null));
        return base.withVariants(Variant.of("steps", "train.steps", 1500), stepsAugment());
    }

    /** {@code train.steps: 1500} with flips, shifts and random erasing. */
    static Variant stepsAugment() {
        return Variant.of("steps-augment", "train.steps", 1500)
                .and("augment.train", List.of(Ladder.FLIPS, Ladder.SHIFTS, new AugmentOp.RandomErasing(0.5, null, null)));
    }
}
