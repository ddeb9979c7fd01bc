package dev.kinglet.model;

import java.util.List;

import org.bytedeco.pytorch.BatchNorm2dImpl;
import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import dev.kinglet.dsl.SmallCnn;
import dev.kinglet.natives.Layers;

/**
 * The recipe's {@link SmallCnn}: conv1-bn1-relu, conv2-bn2-relu, 2x2 max-pool, fc1-relu-dropout,
 * fc2. Parameter names follow PyTorch's ({@code conv1.weight}, {@code bn1.running_mean}, ...),
 * so the same module in Python has the same state dict.
 */
final class SmallCnnNet extends Network {
    private final Conv2dImpl conv1, conv2;
    private final BatchNorm2dImpl bn1, bn2;
    private final LinearImpl fc1, fc2;
    private final double dropout;

    SmallCnnNet(SmallCnn spec, int channels, int height, int width, int classes) {
        if (height < 2 || width < 2) throw new IllegalArgumentException("smallCnn needs images of at least 2x2, got " + height + "x" + width);
        conv1 = register_module("conv1", Layers.conv2d(channels, spec.conv1(), 3, 1, 1, true));
        bn1 = register_module("bn1", Layers.batchNorm2d(spec.conv1()));
        conv2 = register_module("conv2", Layers.conv2d(spec.conv1(), spec.conv2(), 3, 1, 1, true));
        bn2 = register_module("bn2", Layers.batchNorm2d(spec.conv2()));
        fc1 = register_module("fc1", Layers.linear((long) spec.conv2() * (height / 2) * (width / 2), spec.hidden()));
        fc2 = register_module("fc2", Layers.linear(spec.hidden(), classes));
        dropout = spec.dropout();
    }

    @Override
    public Tensor forward(Tensor x) {
        x = encode(x);
        if (dropout > 0) x = torch.dropout(x, dropout, is_training());
        return fc2.forward(x);
    }

    /** Everything before the dropout and fc2: the ReLU of fc1, {@code [batch, hidden]}. */
    @Override
    public Tensor encode(Tensor x) {
        x = torch.relu(bn1.forward(Layers.forward(conv1, x)));
        x = torch.relu(bn2.forward(Layers.forward(conv2, x)));
        x = torch.max_pool2d(x, new long[] {2, 2}, new long[] {2, 2}, new long[] {0, 0}, new long[] {1, 1}, false);
        return torch.relu(fc1.forward(x.flatten(1, -1)));
    }

    @Override
    public List<List<String>> layerGroups() {
        return List.of(List.of("conv1", "bn1", "conv2", "bn2"), List.of("fc1"), List.of("fc2"));
    }

    @Override
    public String firstConv() {
        return "conv1.weight";
    }
}
