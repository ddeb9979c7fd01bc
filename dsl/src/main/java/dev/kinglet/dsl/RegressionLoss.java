package dev.kinglet.dsl;

/**
 * A loss on regression targets (a {@code csvManifest} with {@code task: regression}), averaged
 * over images and targets. A regression recipe without a loss gets {@link Mse}.
 */
public sealed interface RegressionLoss extends Loss permits RegressionLoss.Mse, RegressionLoss.SmoothL1 {

    /** Mean squared error. */
    record Mse() implements RegressionLoss {}

    /** Smooth L1 (Huber with slope 1): quadratic within {@code beta} of the target, linear beyond, so outliers pull less. */
    record SmoothL1(Double beta) implements RegressionLoss {
        public SmoothL1 {
            beta = beta == null ? 1.0 : beta;
            RecipeException.require(beta > 0, "loss.beta", "must be > 0, e.g. 1.0");
        }
    }
}
