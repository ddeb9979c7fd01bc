package dev.kinglet.dsl;

/** Adam; defaults lr 1e-3, no weight decay. */
public record Adam(Double lr, Double weightDecay) implements Optimizer {
    public Adam {
        lr = lr == null ? 1e-3 : lr;
        weightDecay = weightDecay == null ? 0.0 : weightDecay;
        Optimizer.checkCommon(lr, weightDecay);
    }
}
