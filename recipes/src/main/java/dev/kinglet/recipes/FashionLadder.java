package dev.kinglet.recipes;

import java.util.List;

import dev.kinglet.dsl.Data;
import dev.kinglet.dsl.Holdout;
import dev.kinglet.dsl.IdxSource;
import dev.kinglet.dsl.LearningCurve;
import dev.kinglet.dsl.Recipe;
import dev.kinglet.dsl.RecipeProvider;

/**
 * The {@link Ladder} on full Fashion-MNIST (Debian's dataset-fashion-mnist): nested labelled
 * subsets of 10, 50 and 100 images per class, 5 seeds, the official 10,000 test images;
 * validation is 2% of the 60,000 training images (1,200, never trained on); the autoencoder
 * rung pre-trains 3 epochs on the 60,000 training images without their labels (never on the
 * test images). Numbers: README.
 */
public final class FashionLadder implements RecipeProvider {
    @Override
    public Recipe recipe() {
        Data data = new Data(IdxSource.fashionMnist(FashionPretrain.FULL)).withSplit(new Holdout(0.02, 1));
        // Fashion-MNIST's items keep their class in a mirror: the augment rung flips them (its README numbers were measured so)
        return Ladder.ladder("fashion-ladder", data, 3, List.of(Ladder.FLIPS, Ladder.SHIFTS))
                .withDescription("The ladder on Fashion-MNIST at 10, 50 and 100 labelled images per class, 5 seeds, official test set")
                .withLearningCurve(new LearningCurve(List.of(10, 50, 100), null, 5, null));
    }
}
