package dev.kinglet.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

import dev.kinglet.dsl.EmbeddingHead;
import dev.kinglet.dsl.LinearHead;
import dev.kinglet.dsl.Mlp;
import dev.kinglet.dsl.MobileNetV2;
import dev.kinglet.dsl.MobileNetV3Small;
import dev.kinglet.dsl.Model;
import dev.kinglet.dsl.ResNet;
import dev.kinglet.dsl.SmallCnn;
import dev.kinglet.dsl.TorchScriptBackbone;
import dev.kinglet.dsl.WideResNet;
import dev.kinglet.natives.Layers;
import dev.kinglet.natives.Modules;

/**
 * A trainable network: a LibTorch module with a Java forward pass from images to logits, split
 * into layer groups (input side first, the head last) for freezing and discriminative learning
 * rates, as fastai's splitters do.
 */
public abstract class Network extends Module {
    private int frozenGroups;
    private boolean repeatInput;
    private LinearImpl embeddingClassifier;

    public abstract Tensor forward(Tensor images);

    /**
     * The body's output for a batch, before pooling and the head: a feature map, or a vector
     * where the body ends in a linear layer. An autoencoder's decoder reconstructs the images
     * from it, so pre-training trains exactly the weights the classifier's body uses
     * ({@link AutoencoderNet#supports} says which architectures have one).
     */
    public Tensor encode(Tensor images) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no encoder for autoencoder pre-training");
    }

    /** Module-name prefixes of each layer group, input side first; the last group is the head. */
    public abstract List<List<String>> layerGroups();

    /** The state-dict key of the first convolution's weight, or {@code null} when there is none. */
    public abstract String firstConv();

    /** Logits for a batch: {@link #forward}, after repeating a grayscale channel three times when the model was built so. */
    public final Tensor logits(Tensor images) {
        return forward(repeatInput ? images.expand(-1, 3, -1, -1) : images);
    }

    /**
     * Builds the recipe's model for images of the given shape and number of classes. Call after
     * {@code Support.check}: architectures it refuses are not built here.
     *
     * @param repeatGray build for three input channels and repeat a one-channel input (grayscale
     *                   images into an RGB-pretrained model, {@code grayscale: repeat})
     */
    public static Network build(Model model, int channels, int height, int width, int classes, boolean repeatGray) {
        return build(model, channels, height, width, classes, repeatGray, 0);
    }

    /**
     * @param embeddingClassifier with an embedding head and the combined cosine loss (lambda > 0):
     *                            add {@code embeddingClassifier}, a linear layer from the normalised
     *                            embedding to the classes
     */
    public static Network build(Model model, int channels, int height, int width, int classes, boolean repeatGray, double embeddingClassifier) {
        double dropout = switch (model.head()) {
            case LinearHead h -> h.dropout();
            case EmbeddingHead e -> 0.0;
        };
        int outputs = embeddingDim(model, classes);
        int in = repeatGray ? 3 : channels;
        Network net = switch (model.architecture()) {
            case SmallCnn s -> new SmallCnnNet(s, in, height, width, outputs);
            case ResNet r -> new ResNetNet(r, in, outputs, dropout);
            case MobileNetV2 m -> new MobileNetV2Net(m, in, outputs, dropout);
            case WideResNet w -> new WideResNetNet(w, in, outputs, dropout);
            case Mlp m -> new MlpNet(m, (long) in * height * width, outputs);
            case MobileNetV3Small m -> new MobileNetV3SmallNet(in, outputs, dropout);
            case TorchScriptBackbone t -> new TorchScriptNet(t, in, height, width, outputs, dropout);
        };
        net.repeatInput = repeatGray && channels == 1;
        if (embeddingClassifier > 0) net.embeddingClassifier = net.register_module("embeddingClassifier", Layers.linear(outputs, classes));
        return net;
    }

    /** The width of the network's output: the embedding head's {@code dim} (default: one per class), else the classes. */
    public static int embeddingDim(Model model, int classes) {
        return model.head() instanceof EmbeddingHead e && e.dim() != null ? e.dim() : classes;
    }

    /** The combined cosine loss's classifier over the normalised embedding. */
    public Tensor embeddingClassifier(Tensor normalisedEmbedding) {
        if (embeddingClassifier == null) throw new IllegalStateException("this network was built without an embedding classifier");
        return embeddingClassifier.forward(normalisedEmbedding);
    }

    public static Network build(Model model, int channels, int height, int width, int classes) {
        return build(model, channels, height, width, classes, false);
    }

    /**
     * Every parameter by its state-dict name, as new handles on the weights (close them). Use
     * this, not LibTorch's {@code parameters()}: a network may hold weights outside its
     * registered modules (a TorchScript backbone).
     */
    public Map<String, Tensor> namedParameters() {
        return Modules.parameters(this);
    }

    /** Parameters and buffers by state-dict name, as new handles (close them): what is saved, checkpointed and loaded. */
    public Map<String, Tensor> state() {
        return Modules.state(this);
    }

    public long parameterCount() {
        long n = 0;
        for (Tensor p : namedParameters().values()) {
            n += p.numel();
            p.close();
        }
        return n;
    }

    /** The index of the layer group a parameter or module name belongs to (the head's when no prefix matches). */
    public int groupOf(String name) {
        List<List<String>> groups = layerGroups();
        for (int g = 0; g < groups.size(); g++) {
            for (String prefix : groups.get(g)) {
                if (name.equals(prefix) || name.startsWith(prefix + ".")) return g;
            }
        }
        return groups.size() - 1;
    }

    /** Named parameters per layer group, input side first. */
    public List<Map<String, Tensor>> parameterGroups() {
        List<Map<String, Tensor>> out = new ArrayList<>();
        for (int g = 0; g < layerGroups().size(); g++) out.add(new LinkedHashMap<>());
        namedParameters().forEach((name, p) -> out.get(groupOf(name)).put(name, p));
        return out;
    }

    /**
     * Freezes the first {@code groups} layer groups: no gradients, and their batch norms keep
     * their running statistics in training mode. {@code freeze(0)} unfreezes everything.
     */
    public void freeze(int groups) {
        int n = layerGroups().size();
        if (groups < 0 || groups >= n) throw new IllegalArgumentException("can freeze 0.." + (n - 1) + " of " + n + " layer groups, not " + groups);
        frozenGroups = groups;
        namedParameters().forEach((name, p) -> {
            p.requires_grad_(groupOf(name) >= groups);
            p.close();
        });
        setTraining(is_training());
    }

    /** Freezes every group but the head. */
    public void freezeBody() {
        freeze(layerGroups().size() - 1);
    }

    public int frozenGroups() {
        return frozenGroups;
    }

    /** Training or evaluation mode; batch norms of frozen groups stay in evaluation mode. */
    public void setTraining(boolean on) {
        train(on);
        if (!on || frozenGroups == 0) return;
        Modules.modules(this).forEach((name, m) -> {
            if (Modules.isBatchNorm(m) && groupOf(name) < frozenGroups) m.train(false);
        });
    }
}
