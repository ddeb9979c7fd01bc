package dev.kinglet.dsl;

import java.util.List;

/**
 * AdamW (Loshchilov and Hutter): Adam with weight decay decoupled from the gradient, so every
 * weight shrinks by {@code lr * weightDecay} per step whatever its gradient scale; defaults
 * lr 1e-3, weight decay 0.01 (PyTorch's), betas [0.9, 0.999].
 */
public record AdamW(Double lr, Double weightDecay, List<Double> betas) implements Optimizer {
    public AdamW {
        lr = lr == null ? 1e-3 : lr;
        weightDecay = weightDecay == null ? 0.01 : weightDecay;
        betas = betas == null ? List.of(0.9, 0.999) : List.copyOf(betas);
        Optimizer.checkCommon(lr, weightDecay);
        RecipeException.require(betas.size() == 2 && betas.stream().allMatch(b -> b >= 0 && b < 1), "train.optimizer.betas",
                "must be two decay rates in [0, 1), e.g. [0.9, 0.999]");
    }

    public AdamW(Double lr, Double weightDecay) {
        this(lr, weightDecay, null);
    }
}
