package dev.kinglet.dsl;

/**
 * Cosine loss (Barz and Denzler, WACV 2020): {@code 1 - <phi(y), psi(f(x))>} between the
 * L2-normalised embedding and the class embedding, one-hot or, given a class {@code hierarchy}
 * file, semantic. {@code lambda} > 0 adds cross-entropy of a softmax head on the normalised
 * embedding with that weight (their combined loss; 0.1 by default, 0 for cosine alone).
 */
public record CosineLoss(Double lambda, String hierarchy) implements Loss {
    public CosineLoss {
        lambda = lambda == null ? 0.1 : lambda;
        RecipeException.require(lambda >= 0 && lambda <= 100, "loss.lambda", "must be in [0, 100], e.g. 0.1 (0: cosine loss alone)");
        RecipeException.require(hierarchy == null || !hierarchy.isBlank(), "loss.hierarchy", "must be a file of child,parent lines, e.g. data/hierarchy.csv, or left out");
    }
}
