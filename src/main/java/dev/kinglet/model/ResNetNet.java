package dev.kinglet.model;

import java.util.List;
import java.util.function.UnaryOperator;

import org.bytedeco.pytorch.BatchNorm2dImpl;
import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import dev.kinglet.dsl.ResNet;
import dev.kinglet.natives.Layers;

/**
 * TorchVision's ResNet-18/34 (basic blocks) and ResNet-50 (bottlenecks, stride on the 3x3 as in
 * TorchVision's v1.5), with TorchVision's parameter names: a TorchVision state dict of the same
 * depth loads key for key.
 *
 * <p>{@code harmonic}: the 7x7 stem and every 3x3 convolution are {@link HarmonicConv} blocks
 * under the same names ({@code conv1.dct}, {@code layer1.0.conv1.combine}, ...); 1x1
 * convolutions stay. TorchVision's weights do not fit such a network.
 */
final class ResNetNet extends Network {
    private final UnaryOperator<Tensor> conv1;
    private final boolean harmonic;
    private final BatchNorm2dImpl bn1;
    private final Seq layer1, layer2, layer3, layer4;
    private final LinearImpl fc;
    private final double dropout;
    private final long features;

    ResNetNet(ResNet spec, int channels, int classes, double dropout) {
        boolean bottleneck = spec.depth() == 50;
        int[] blocks = switch (spec.depth()) {
            case 18 -> new int[] {2, 2, 2, 2};
            default -> new int[] {3, 4, 6, 3}; // 34 and 50; the record admits only 18, 34 and 50
        };
        int expansion = bottleneck ? 4 : 1;
        harmonic = spec.harmonic();
        conv1 = HarmonicConv.orConv(this, "conv1", harmonic, channels, 64, 7, 2, 3);
        bn1 = register_module("bn1", Layers.batchNorm2d(64));
        long[] in = {64};
        layer1 = register_module("layer1", layer(in, 64, blocks[0], 1, bottleneck, harmonic));
        layer2 = register_module("layer2", layer(in, 128, blocks[1], 2, bottleneck, harmonic));
        layer3 = register_module("layer3", layer(in, 256, blocks[2], 2, bottleneck, harmonic));
        layer4 = register_module("layer4", layer(in, 512, blocks[3], 2, bottleneck, harmonic));
        features = 512L * expansion;
        fc = register_module("fc", Layers.linear(features, classes));
        this.dropout = dropout;
        Init.torchVision(this);
    }

    private static Seq layer(long[] in, int planes, int count, int stride, boolean bottleneck, boolean harmonic) {
        Seq s = new Seq();
        for (int i = 0; i < count; i++) {
            int st = i == 0 ? stride : 1;
            s.block(bottleneck ? new Bottleneck(in[0], planes, st, harmonic) : new Basic(in[0], planes, st, harmonic));
            in[0] = (long) planes * (bottleneck ? 4 : 1);
        }
        return s;
    }

    @Override
    public Tensor forward(Tensor x) {
        x = torch.adaptive_avg_pool2d(encode(x), 1, 1).flatten(1, -1);
        if (dropout > 0) x = torch.dropout(x, dropout, is_training());
        return fc.forward(x);
    }

    /** The stem and the four stages: layer4's feature map, 1/32 of the input's size. */
    @Override
    public Tensor encode(Tensor x) {
        x = torch.relu(bn1.forward(conv1.apply(x)));
        x = torch.max_pool2d(x, new long[] {3, 3}, new long[] {2, 2}, new long[] {1, 1}, new long[] {1, 1}, false);
        return layer4.forward(layer3.forward(layer2.forward(layer1.forward(x))));
    }

    @Override
    public List<List<String>> layerGroups() {
        return List.of(List.of("conv1", "bn1", "layer1", "layer2"), List.of("layer3", "layer4"), List.of("fc"));
    }

    /** None when harmonic: the stem's learned weights combine DCT responses, not input channels. */
    @Override
    public String firstConv() {
        return harmonic ? null : "conv1.weight";
    }

    /** {@code downsample}: TorchVision's 1x1 convolution and batch norm when shape changes. */
    private static Seq downsample(long in, long out, int stride) {
        if (stride == 1 && in == out) return null;
        Seq d = new Seq();
        d.conv(in, out, 1, stride, 0, 1, false);
        d.bn(out);
        return d;
    }

    static final class Basic extends Block {
        private final UnaryOperator<Tensor> conv1, conv2;
        private final BatchNorm2dImpl bn1, bn2;
        private final Seq downsample;

        Basic(long in, int planes, int stride, boolean harmonic) {
            conv1 = HarmonicConv.orConv(this, "conv1", harmonic, in, planes, 3, stride, 1);
            bn1 = register_module("bn1", Layers.batchNorm2d(planes));
            conv2 = HarmonicConv.orConv(this, "conv2", harmonic, planes, planes, 3, 1, 1);
            bn2 = register_module("bn2", Layers.batchNorm2d(planes));
            Seq d = downsample(in, planes, stride);
            downsample = d == null ? null : register_module("downsample", d);
        }

        @Override
        Tensor forward(Tensor x) {
            Tensor out = torch.relu(bn1.forward(conv1.apply(x)));
            out = bn2.forward(conv2.apply(out));
            return torch.relu(out.add(downsample == null ? x : downsample.forward(x)));
        }
    }

    static final class Bottleneck extends Block {
        private final Conv2dImpl conv1, conv3;
        private final UnaryOperator<Tensor> conv2;
        private final BatchNorm2dImpl bn1, bn2, bn3;
        private final Seq downsample;

        Bottleneck(long in, int planes, int stride, boolean harmonic) {
            conv1 = register_module("conv1", Layers.conv2d(in, planes, 1, 1, 0, false));
            bn1 = register_module("bn1", Layers.batchNorm2d(planes));
            conv2 = HarmonicConv.orConv(this, "conv2", harmonic, planes, planes, 3, stride, 1);
            bn2 = register_module("bn2", Layers.batchNorm2d(planes));
            conv3 = register_module("conv3", Layers.conv2d(planes, planes * 4L, 1, 1, 0, false));
            bn3 = register_module("bn3", Layers.batchNorm2d(planes * 4L));
            Seq d = downsample(in, planes * 4L, stride);
            downsample = d == null ? null : register_module("downsample", d);
        }

        @Override
        Tensor forward(Tensor x) {
            Tensor out = torch.relu(bn1.forward(Layers.forward(conv1, x)));
            out = torch.relu(bn2.forward(conv2.apply(out)));
            out = bn3.forward(Layers.forward(conv3, out));
            return torch.relu(out.add(downsample == null ? x : downsample.forward(x)));
        }
    }
}
