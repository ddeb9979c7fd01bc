package dev.kinglet.model;

import java.util.ArrayList;
import java.util.List;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import dev.kinglet.dsl.MobileNetV2;

/**
 * TorchVision's MobileNetV2 with its parameter names ({@code features.N...},
 * {@code classifier.1}): inverted residual blocks of expansion t, width c, n repeats, stride s.
 */
final class MobileNetV2Net extends Network {
    private static final int[][] SETTINGS = {{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
    private final Seq features, classifier;
    private final int featureBlocks;

    MobileNetV2Net(MobileNetV2 spec, int channels, int classes, double dropout) {
        double width = spec.width();
        int in = divisible(32 * width);
        int last = divisible(1280 * Math.max(1.0, width));
        features = new Seq();
        convBnRelu6(features, channels, in, 3, 2, 1);
        for (int[] s : SETTINGS) {
            int out = divisible(s[1] * width);
            for (int i = 0; i < s[2]; i++) {
                features.block(new InvertedResidual(in, out, i == 0 ? s[3] : 1, s[0]));
                in = out;
            }
        }
        convBnRelu6(features, in, last, 1, 1, 1);
        featureBlocks = features.size();
        register_module("features", features);
        classifier = new Seq().dropout(dropout);
        classifier.linear(last, classes);
        register_module("classifier", classifier);
        Init.torchVision(this, 0.01);
    }

    /** TorchVision's {@code _make_divisible(v, 8)}: round to a multiple of 8, never more than 10% down. */
    static int divisible(double v) {
        int n = Math.max(8, (int) (v + 4) / 8 * 8);
        return n < 0.9 * v ? n + 8 : n;
    }

    /** {@code Conv2dNormActivation}: conv (no bias), batch norm, ReLU6, as one indexed child. */
    private static void convBnRelu6(Seq parent, long in, long out, int kernel, int stride, long groups) {
        Seq s = new Seq();
        s.conv(in, out, kernel, stride, (kernel - 1) / 2, groups, false);
        s.bn(out);
        s.relu6();
        parent.block(s);
    }

    @Override
    public Tensor forward(Tensor x) {
        x = torch.adaptive_avg_pool2d(encode(x), 1, 1).flatten(1, -1);
        return classifier.forward(x);
    }

    /** The feature blocks: a 1280-channel map (wider at width > 1), 1/32 of the input's size (no autoencoder decoder is made for it). */
    @Override
    public Tensor encode(Tensor x) {
        return features.forward(x);
    }

    @Override
    public List<List<String>> layerGroups() {
        List<String> early = new ArrayList<>(), late = new ArrayList<>();
        for (int i = 0; i < featureBlocks; i++) (i < featureBlocks / 2 ? early : late).add("features." + i);
        return List.of(early, late, List.of("classifier"));
    }

    @Override
    public String firstConv() {
        return "features.0.0.weight";
    }

    static final class InvertedResidual extends Block {
        private final Seq conv;
        private final boolean residual;

        InvertedResidual(int in, int out, int stride, int expand) {
            int hidden = Math.round((float) in * expand);
            residual = stride == 1 && in == out;
            conv = new Seq();
            if (expand != 1) convBnRelu6(conv, in, hidden, 1, 1, 1);
            convBnRelu6(conv, hidden, hidden, 3, stride, hidden);
            conv.conv(hidden, out, 1, 1, 0, 1, false);
            conv.bn(out);
            register_module("conv", conv);
        }

        @Override
        Tensor forward(Tensor x) {
            Tensor y = conv.forward(x);
            return residual ? y.add(x) : y;
        }
    }
}
