package dev.kinglet.model;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import dev.kinglet.natives.Layers;

/**
 * TorchVision's MobileNetV3-Small ({@code mobilenet_v3_small}) with its parameter names
 * ({@code features.N.block.M...}, {@code classifier.0}, {@code classifier.3}): a 3x3 stride-2
 * stem of 16 channels, eleven inverted residual blocks with ReLU or hardswish and, in most,
 * squeeze-excitation gated by a hardsigmoid, a 1x1 convolution to 576 channels, global average
 * pooling, then Linear(576, 1024), hardswish, dropout and Linear(1024, classes). Batch norms use
 * TorchVision's eps 0.001 and momentum 0.01. The dropout is the recipe head's (TorchVision's
 * default is 0.2).
 */
final class MobileNetV3SmallNet extends Network {
    // input, kernel, expanded, output channels, squeeze-excitation, hardswish (else ReLU), stride: TorchVision's table
    private static final int[][] SETTINGS = {
            {16, 3, 16, 16, 1, 0, 2},
            {16, 3, 72, 24, 0, 0, 2},
            {24, 3, 88, 24, 0, 0, 1},
            {24, 5, 96, 40, 1, 1, 2},
            {40, 5, 240, 40, 1, 1, 1},
            {40, 5, 240, 40, 1, 1, 1},
            {40, 5, 120, 48, 1, 1, 1},
            {48, 5, 144, 48, 1, 1, 1},
            {48, 5, 288, 96, 1, 1, 2},
            {96, 5, 576, 96, 1, 1, 1},
            {96, 5, 576, 96, 1, 1, 1}};
    private static final int STEM = 16, LAST_CONV = 576, HIDDEN = 1024;
    private static final double BN_EPS = 0.001, BN_MOMENTUM = 0.01;
    private static final UnaryOperator<Tensor> RELU = torch::relu, HARDSWISH = torch::hardswish;

    private final Seq features, classifier;
    private final int featureBlocks;

    MobileNetV3SmallNet(int channels, int classes, double dropout) {
        features = new Seq();
        convBnAct(features, channels, STEM, 3, 2, 1, HARDSWISH);
        for (int[] s : SETTINGS) features.block(new InvertedResidual(s[0], s[1], s[2], s[3], s[4] == 1, s[5] == 1 ? HARDSWISH : RELU, s[6]));
        convBnAct(features, SETTINGS[SETTINGS.length - 1][3], LAST_CONV, 1, 1, 1, HARDSWISH);
        featureBlocks = features.size();
        register_module("features", features);
        classifier = new Seq();
        classifier.linear(LAST_CONV, HIDDEN);
        classifier.hardswish().dropout(dropout);
        classifier.linear(HIDDEN, classes);
        register_module("classifier", classifier);
        Init.torchVision(this, 0.01);
    }

    /** {@code Conv2dNormActivation}: conv (no bias), batch norm, then the activation unless it is {@code null}, as one indexed child. */
    private static void convBnAct(Seq parent, long in, long out, int kernel, int stride, long groups, UnaryOperator<Tensor> activation) {
        Seq s = new Seq();
        s.conv(in, out, kernel, stride, (kernel - 1) / 2, groups, false);
        s.bn(out, BN_EPS, BN_MOMENTUM);
        if (activation != null) s.op(activation);
        parent.block(s);
    }

    @Override
    public Tensor forward(Tensor x) {
        x = torch.adaptive_avg_pool2d(encode(x), 1, 1).flatten(1, -1);
        return classifier.forward(x);
    }

    /** The feature blocks: a 576-channel map, 1/32 of the input's size (no autoencoder decoder is made for it). */
    @Override
    public Tensor encode(Tensor x) {
        return features.forward(x);
    }

    /**
     * The first half of the feature blocks, then the rest with the first classifier layer (it is
     * pretrained: TorchVision's fine-tuning replaces only the last), then the last layer as the head.
     */
    @Override
    public List<List<String>> layerGroups() {
        List<String> early = new ArrayList<>(), late = new ArrayList<>();
        for (int i = 0; i < featureBlocks; i++) (i < featureBlocks / 2 ? early : late).add("features." + i);
        late.add("classifier.0");
        return List.of(early, late, List.of("classifier.3"));
    }

    @Override
    public String firstConv() {
        return "features.0.0.weight";
    }

    static final class InvertedResidual extends Block {
        private final Seq block;
        private final boolean residual;

        InvertedResidual(int in, int kernel, int expanded, int out, boolean squeezeExcite, UnaryOperator<Tensor> activation, int stride) {
            residual = stride == 1 && in == out;
            block = new Seq();
            if (expanded != in) convBnAct(block, in, expanded, 1, 1, 1, activation);
            convBnAct(block, expanded, expanded, kernel, stride, expanded, activation);
            if (squeezeExcite) block.block(new SqueezeExcitation(expanded, MobileNetV2Net.divisible(expanded / 4)));
            convBnAct(block, expanded, out, 1, 1, 1, null);
            register_module("block", block);
        }

        @Override
        Tensor forward(Tensor x) {
            Tensor y = block.forward(x);
            return residual ? y.add(x) : y;
        }
    }

    /** TorchVision's {@code SqueezeExcitation}: channel weights from pooled features through 1x1 convolutions, ReLU and a hardsigmoid. */
    static final class SqueezeExcitation extends Block {
        private final Conv2dImpl fc1, fc2;

        SqueezeExcitation(int channels, int squeeze) {
            fc1 = register_module("fc1", Layers.conv2d(channels, squeeze, 1, 1, 0, true));
            fc2 = register_module("fc2", Layers.conv2d(squeeze, channels, 1, 1, 0, true));
        }

        @Override
        Tensor forward(Tensor x) {
            Tensor scale = Layers.forward(fc2, torch.relu(Layers.forward(fc1, torch.adaptive_avg_pool2d(x, 1, 1))));
            return x.mul(torch.hardsigmoid(scale));
        }
    }
}
