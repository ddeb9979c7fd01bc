package dev.kinglet.dsl;

/** SGD with momentum; defaults lr 0.01, momentum 0.9, weight decay 5e-4, Nesterov off. */
public record Sgd(Double lr, Double momentum, Double weightDecay, Boolean nesterov) implements Optimizer {
    public Sgd {
        lr = lr == null ? 0.01 : lr;
        momentum = momentum == null ? 0.9 : momentum;
        weightDecay = weightDecay == null ? 5e-4 : weightDecay;
        nesterov = nesterov != null && nesterov;
        Optimizer.checkCommon(lr, weightDecay);
        RecipeException.require(momentum >= 0 && momentum < 1, "train.optimizer.momentum", "must be in [0, 1), e.g. 0.9");
        RecipeException.require(!nesterov || momentum > 0, "train.optimizer.nesterov", "needs momentum > 0, e.g. momentum: 0.9");
    }
}
