package dev.kinglet.recipes;

import dev.kinglet.dsl.CosineLoss;
import dev.kinglet.dsl.Recipe;
import dev.kinglet.dsl.RecipeIo;
import dev.kinglet.dsl.RecipeProvider;
import dev.kinglet.dsl.Variant;

/**
 * The cosine loss alone (Barz and Denzler's {@code 1 - <phi(y), psi(f(x))>}, lambda 0: no
 * cross-entropy head) on {@link FashionLadder}'s data: its {@code cosine} rung (small CNN,
 * augmentation, embedding head) with the cross-entropy term dropped. Job ids, data draws,
 * weight initialisation and batch order are the ladder's (seeds do not depend on the variant),
 * so each job pairs with the ladder's {@code augment} (cross-entropy) and {@code cosine}
 * (cosine + cross-entropy) jobs on the same images: the loss column of the comparison. Numbers:
 * README.
 */
public final class FashionCosineAlone implements RecipeProvider {
    @Override
    public Recipe recipe() {
        Recipe ladder = new FashionLadder().recipe();
        Variant cosine = ladder.variants().stream().filter(v -> v.name().equals("cosine")).findFirst().orElseThrow();
        return RecipeIo.resolve(ladder, cosine).withName("fashion-cosine-alone")
                .withDescription("The ladder's cosine rung with the cosine loss alone (lambda 0) on Fashion-MNIST, 10/50/100 per class, 5 seeds, official test set")
                .withLoss(new CosineLoss(0.0, null));
    }
}
