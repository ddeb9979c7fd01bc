package dev.kinglet.model;

import java.util.List;
import java.util.function.UnaryOperator;

import org.bytedeco.pytorch.BatchNorm2dImpl;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import dev.kinglet.dsl.WideResNet;
import dev.kinglet.natives.Layers;

/**
 * Wide ResNet for small images (Zagoruyko and Komodakis, 2016): a 3x3 stem of 16 channels,
 * three groups of (depth-4)/6 pre-activation blocks of 16k, 32k and 64k channels (strides 1, 2,
 * 2), batch norm, ReLU, global average pooling and a linear classifier. Names follow the widely
 * used PyTorch version ({@code block1.layer.0.conv1}, {@code convShortcut}).
 *
 * <p>{@code harmonic}: the stem and every 3x3 convolution of the blocks are {@link HarmonicConv}
 * blocks under the same names ({@code conv1.dct}, {@code conv1.bn}, {@code conv1.combine}); the
 * 1x1 shortcuts stay convolutions.
 */
final class WideResNetNet extends Network {
    private final UnaryOperator<Tensor> conv1;
    private final boolean harmonic;
    private final Block block1, block2, block3;
    private final BatchNorm2dImpl bn1;
    private final LinearImpl fc;
    private final double headDropout;

    WideResNetNet(WideResNet spec, int channels, int classes, double headDropout) {
        int n = (spec.depth() - 4) / 6, k = spec.width();
        int[] widths = {16, 16 * k, 32 * k, 64 * k};
        harmonic = spec.harmonic();
        conv1 = HarmonicConv.orConv(this, "conv1", harmonic, channels, widths[0], 3, 1, 1);
        block1 = register_module("block1", group(n, widths[0], widths[1], 1, spec.dropout(), harmonic));
        block2 = register_module("block2", group(n, widths[1], widths[2], 2, spec.dropout(), harmonic));
        block3 = register_module("block3", group(n, widths[2], widths[3], 2, spec.dropout(), harmonic));
        bn1 = register_module("bn1", Layers.batchNorm2d(widths[3]));
        fc = register_module("fc", Layers.linear(widths[3], classes));
        this.headDropout = headDropout;
        Init.torchVision(this);
    }

    /** {@code NetworkBlock}: a module whose child {@code layer} holds the blocks. */
    private static Block group(int n, int in, int out, int stride, double dropout, boolean harmonic) {
        Seq layer = new Seq();
        for (int i = 0; i < n; i++) layer.block(new Basic(i == 0 ? in : out, out, i == 0 ? stride : 1, dropout, harmonic));
        return new Block() {
            { register_module("layer", layer); }

            @Override
            Tensor forward(Tensor x) {
                return layer.forward(x);
            }
        };
    }

    @Override
    public Tensor forward(Tensor x) {
        x = torch.adaptive_avg_pool2d(encode(x), 1, 1).flatten(1, -1);
        if (headDropout > 0) x = torch.dropout(x, headDropout, is_training());
        return fc.forward(x);
    }

    /** The three stages and the final batch norm and ReLU: a feature map, 1/4 of the input's size. */
    @Override
    public Tensor encode(Tensor x) {
        x = block3.forward(block2.forward(block1.forward(conv1.apply(x))));
        return torch.relu(bn1.forward(x));
    }

    @Override
    public List<List<String>> layerGroups() {
        return List.of(List.of("conv1", "block1", "block2"), List.of("block3", "bn1"), List.of("fc"));
    }

    /** None when harmonic: the stem's learned weights combine DCT responses, not input channels. */
    @Override
    public String firstConv() {
        return harmonic ? null : "conv1.weight";
    }

    /** Pre-activation block: BN-ReLU-conv3x3(stride)-BN-ReLU-[dropout]-conv3x3, plus a 1x1 shortcut when the width changes. */
    static final class Basic extends Block {
        private final BatchNorm2dImpl bn1, bn2;
        private final UnaryOperator<Tensor> conv1, conv2, convShortcut;
        private final double dropout;

        Basic(int in, int out, int stride, double dropout, boolean harmonic) {
            bn1 = register_module("bn1", Layers.batchNorm2d(in));
            conv1 = HarmonicConv.orConv(this, "conv1", harmonic, in, out, 3, stride, 1);
            bn2 = register_module("bn2", Layers.batchNorm2d(out));
            conv2 = HarmonicConv.orConv(this, "conv2", harmonic, out, out, 3, 1, 1);
            if (in == out && stride == 1) {
                convShortcut = null;
            } else {
                Conv2dImpl shortcut = register_module("convShortcut", Layers.conv2d(in, out, 1, stride, 0, false));
                convShortcut = x -> Layers.forward(shortcut, x);
            }
            this.dropout = dropout;
        }

        @Override
        Tensor forward(Tensor x) {
            Tensor a = torch.relu(bn1.forward(x));
            Tensor out = torch.relu(bn2.forward(conv1.apply(a)));
            if (dropout > 0) out = torch.dropout(out, dropout, is_training());
            out = conv2.apply(out);
            return out.add(convShortcut == null ? x : convShortcut.apply(a));
        }
    }
}
