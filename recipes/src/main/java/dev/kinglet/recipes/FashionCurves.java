package dev.kinglet.recipes;

import java.util.List;

import dev.kinglet.dsl.LearningCurve;
import dev.kinglet.dsl.Recipe;
import dev.kinglet.dsl.RecipeProvider;

/**
 * Learning curves on Fashion-MNIST from 5 to 500 labelled images per class: the ladder's base
 * rung (the small CNN from scratch, Adam, one-cycle, 30 epochs) and the baselines (random forest
 * and logistic regression on pixels) on nested subsets of 5, 10, 20, 50, 100, 200 and 500 per
 * class, three draws each, tested on the official 10,000 images. The split and the draws are
 * {@link FashionLadder}'s, so its 10/50/100 points for draws 0-2 train on the same images as
 * the ladder's base jobs: run here with {@code --processes 2} (one thread per job) they ended
 * within 0.11 points of the ladder's two-thread runs (sums of floats differ with the thread
 * count). Numbers: README.
 */
public final class FashionCurves implements RecipeProvider {
    @Override
    public Recipe recipe() {
        Recipe ladder = new FashionLadder().recipe();
        return ladder.withName("fashion-curves").withVariants()
                .withDescription("Learning curves of the small CNN and the baselines on Fashion-MNIST, 5 to 500 labelled images per class, 3 draws, official test set")
                .withLearningCurve(new LearningCurve(List.of(5, 10, 20, 50, 100, 200, 500), null, 3, null));
    }
}
