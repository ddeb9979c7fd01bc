package dev.kinglet.dsl;

/**
 * Fine-tuning a pretrained model as fastai's {@code fine_tune}: {@code freezeEpochs} with only the
 * head training (backbone and its BatchNorm statistics frozen), then all layers with
 * discriminative learning rates: each earlier layer group gets {@code lrMult} times the rate of
 * the group after it. {@code gradual} unfreezes one group per epoch instead of all at once.
 */
public record FineTune(Integer freezeEpochs, Double lrMult, Boolean gradual) {
    public FineTune {
        freezeEpochs = freezeEpochs == null ? 1 : freezeEpochs;
        lrMult = lrMult == null ? 0.1 : lrMult;
        gradual = gradual != null && gradual;
        RecipeException.require(freezeEpochs >= 0, "train.fineTune.freezeEpochs", "must be >= 0, e.g. 1");
        RecipeException.require(lrMult > 0 && lrMult <= 1, "train.fineTune.lrMult", "must be in (0, 1], e.g. 0.1");
    }
}
