package dev.kinglet.recipes;

import java.util.List;

import dev.kinglet.dsl.FixMatch;
import dev.kinglet.dsl.LearningCurve;
import dev.kinglet.dsl.PseudoLabel;
import dev.kinglet.dsl.Recipe;
import dev.kinglet.dsl.RecipeProvider;
import dev.kinglet.dsl.Variant;

/**
 * Self-training against supervised training at 10 labelled images per class, on
 * {@link FashionLadder}'s data and base (small CNN, Adam, one-cycle, batch 32, 30 epochs: 90
 * steps): {@code steps-augment} trains {@code train.steps: 1500} with flips, shifts and random
 * erasing ({@link FashionSteps}); {@code pseudo-label} adds {@code semiSupervised: {type:
 * pseudoLabel}} with its defaults — a teacher of the same recipe predicts 10,000 of the other
 * training images (never the 10,000 test images), the 100 most confident above 0.9 per class
 * join the 100 labelled ones, repeated 10 times to half the student's images ({@code labelledShare: 0.5})
 * — and trains the student for the same 1,500 steps; {@code pseudo-label-once} sees each labelled
 * image once ({@code labelledShare: 0}); {@code fixmatch} trains the same 1,500 steps with
 * {@code semiSupervised: {type: fixMatch}} at its defaults (224 unlabelled images per step beside
 * the 32 labelled, threshold 0.95, RandAugment + random erasing as the strong view, evaluated with
 * the weights' EMA) and flips and shifts as the weak view and the labelled images' augmentation; {@code flexmatch}
 * is {@code fixmatch} with FlexMatch's per-class thresholds ({@code thresholds: flexMatch}). Same draws,
 * initialisation and batch order per seed (paired). Numbers: README, "Learning from unlabelled images".
 */
public final class FashionSemi implements RecipeProvider {
    @Override
    public Recipe recipe() {
        Recipe base = new FashionLadder().recipe().withVariants().withName("fashion-semi")
                .withDescription("Supervised (90 steps; 1,500 steps + augmentation) against self-training with pseudo-labels, FixMatch and FlexMatch at 10 labelled Fashion-MNIST images per class, 3 seeds")
                .withLearningCurve(new LearningCurve(List.of(10), null, 3, null));
        Variant augmented = FashionSteps.stepsAugment();
        Variant once = augmented.withName("pseudo-label-once").and("semiSupervised", new PseudoLabel(null, null, null, null, null, 0.0));
        Variant pseudoLabel = augmented.withName("pseudo-label").and("semiSupervised", PseudoLabel.defaults());
        Variant fixMatch = Variant.of("fixmatch", "train.steps", 1500).and("augment.train", List.of(Ladder.FLIPS, Ladder.SHIFTS))
                .and("semiSupervised", FixMatch.defaults());
        Variant flexMatch = Variant.of("flexmatch", "train.steps", 1500).and("augment.train", List.of(Ladder.FLIPS, Ladder.SHIFTS))
                .and("semiSupervised", FixMatch.defaults().withThresholds(FixMatch.Thresholds.FLEX_MATCH));
        return base.withVariants(augmented, once, pseudoLabel, fixMatch, flexMatch);
    }
}
