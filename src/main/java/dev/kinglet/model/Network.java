package dev.kinglet.model;

import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

import dev.kinglet.dsl.Model;
import dev.kinglet.dsl.SmallCnn;

/** A trainable network: a LibTorch module with a Java forward pass from images to logits. */
public abstract class Network extends Module {
    public abstract Tensor forward(Tensor images);

    /**
     * Builds the recipe's model for images of the given shape and number of classes. Call after
     * {@code Support.check}: architectures it refuses are not built here.
     */
    public static Network build(Model model, int channels, int height, int width, int classes) {
        if (model.architecture() instanceof SmallCnn s) return new SmallCnnNet(s, channels, height, width, classes);
        throw new IllegalStateException("model.architecture " + model.architecture() + " has no implementation; Support.check should have refused it");
    }

    public long parameterCount() {
        long n = 0;
        var params = parameters();
        for (long i = 0; i < params.size(); i++) n += params.get(i).numel();
        return n;
    }
}
