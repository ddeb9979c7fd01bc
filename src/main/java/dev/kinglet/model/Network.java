package dev.kinglet.model;

import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

import dev.kinglet.dsl.Architecture;
import dev.kinglet.dsl.SmallCnn;

/** A trainable network: a LibTorch module with a Java forward pass from images to logits. */
public abstract class Network extends Module {
    public abstract Tensor forward(Tensor images);

    /** Builds the recipe's architecture for images of the given shape and number of classes. */
    public static Network build(Architecture arch, int channels, int height, int width, int classes) {
        return switch (arch) {
            case SmallCnn s -> new SmallCnnNet(s, channels, height, width, classes);
        };
    }

    public long parameterCount() {
        long n = 0;
        var params = parameters();
        for (long i = 0; i < params.size(); i++) n += params.get(i).numel();
        return n;
    }
}
