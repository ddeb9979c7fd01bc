package dev.kinglet.model;

import java.util.List;

import org.bytedeco.pytorch.BatchNorm2dImpl;
import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import dev.kinglet.dsl.WideResNet;
import dev.kinglet.natives.Layers;

/**
 * Wide ResNet for small images (Zagoruyko and Komodakis, 2016): a 3x3 stem of 16 channels,
 * three groups of (depth-4)/6 pre-activation blocks of 16k, 32k and 64k channels (strides 1, 2,
 * 2), batch norm, ReLU, global average pooling and a linear classifier. Names follow the widely
 * used PyTorch version ({@code block1.layer.0.conv1}, {@code convShortcut}).
 */
final class WideResNetNet extends Network {
    private final Conv2dImpl conv1;
    private final Block block1, block2, block3;
    private final BatchNorm2dImpl bn1;
    private final LinearImpl fc;
    private final double headDropout;

    WideResNetNet(WideResNet spec, int channels, int classes, double headDropout) {
        int n = (spec.depth() - 4) / 6, k = spec.width();
        int[] widths = {16, 16 * k, 32 * k, 64 * k};
        conv1 = register_module("conv1", Layers.conv2d(channels, widths[0], 3, 1, 1, false));
        block1 = register_module("block1", group(n, widths[0], widths[1], 1, spec.dropout()));
        block2 = register_module("block2", group(n, widths[1], widths[2], 2, spec.dropout()));
        block3 = register_module("block3", group(n, widths[2], widths[3], 2, spec.dropout()));
        bn1 = register_module("bn1", Layers.batchNorm2d(widths[3]));
        fc = register_module("fc", Layers.linear(widths[3], classes));
        this.headDropout = headDropout;
        Init.torchVision(this);
    }

    /** {@code NetworkBlock}: a module whose child {@code layer} holds the blocks. */
    private static Block group(int n, int in, int out, int stride, double dropout) {
        Seq layer = new Seq();
        for (int i = 0; i < n; i++) layer.block(new Basic(i == 0 ? in : out, out, i == 0 ? stride : 1, dropout));
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
        x = block3.forward(block2.forward(block1.forward(conv1.forward(x))));
        x = torch.relu(bn1.forward(x));
        x = torch.adaptive_avg_pool2d(x, 1, 1).flatten(1, -1);
        if (headDropout > 0) x = torch.dropout(x, headDropout, is_training());
        return fc.forward(x);
    }

    @Override
    public List<List<String>> layerGroups() {
        return List.of(List.of("conv1", "block1", "block2"), List.of("block3", "bn1"), List.of("fc"));
    }

    @Override
    public String firstConv() {
        return "conv1.weight";
    }

    /** Pre-activation block: BN-ReLU-conv3x3(stride)-BN-ReLU-[dropout]-conv3x3, plus a 1x1 shortcut when the width changes. */
    static final class Basic extends Block {
        private final BatchNorm2dImpl bn1, bn2;
        private final Conv2dImpl conv1, conv2, convShortcut;
        private final double dropout;

        Basic(int in, int out, int stride, double dropout) {
            bn1 = register_module("bn1", Layers.batchNorm2d(in));
            conv1 = register_module("conv1", Layers.conv2d(in, out, 3, stride, 1, false));
            bn2 = register_module("bn2", Layers.batchNorm2d(out));
            conv2 = register_module("conv2", Layers.conv2d(out, out, 3, 1, 1, false));
            convShortcut = in == out && stride == 1 ? null : register_module("convShortcut", Layers.conv2d(in, out, 1, stride, 0, false));
            this.dropout = dropout;
        }

        @Override
        Tensor forward(Tensor x) {
            Tensor a = torch.relu(bn1.forward(x));
            Tensor out = torch.relu(bn2.forward(conv1.forward(a)));
            if (dropout > 0) out = torch.dropout(out, dropout, is_training());
            out = conv2.forward(out);
            return out.add(convShortcut == null ? x : convShortcut.forward(a));
        }
    }
}
