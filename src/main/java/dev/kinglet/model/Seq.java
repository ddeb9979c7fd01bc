package dev.kinglet.model;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import org.bytedeco.pytorch.BatchNorm1dImpl;
import org.bytedeco.pytorch.BatchNorm2dImpl;
import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.LayerNormImpl;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import dev.kinglet.natives.Layers;

/**
 * PyTorch's {@code nn.Sequential} in Java: children named {@code "0"}, {@code "1"}, ... in order,
 * parameter-free steps (ReLU, pooling) taking an index too, so state-dict keys match Python's.
 * LibTorch's own {@code Sequential} cannot hold Java modules (FINDINGS), so this calls each
 * step itself.
 */
final class Seq extends Block {
    private final List<UnaryOperator<Tensor>> steps = new ArrayList<>();

    Conv2dImpl conv(long in, long out, long kernel, long stride, long padding, long groups, boolean bias) {
        Conv2dImpl c = register_module(next(), Layers.conv2d(in, out, kernel, stride, padding, groups, bias));
        steps.add(x -> Layers.forward(c, x));
        return c;
    }

    BatchNorm2dImpl bn(long features) {
        BatchNorm2dImpl b = register_module(next(), Layers.batchNorm2d(features));
        steps.add(b::forward);
        return b;
    }

    BatchNorm2dImpl bn(long features, double eps, double momentum) {
        BatchNorm2dImpl b = register_module(next(), Layers.batchNorm2d(features, eps, momentum));
        steps.add(b::forward);
        return b;
    }

    BatchNorm1dImpl bn1d(long features) {
        BatchNorm1dImpl b = register_module(next(), Layers.batchNorm1d(features));
        steps.add(b::forward);
        return b;
    }

    LayerNormImpl layerNorm(long features) {
        LayerNormImpl l = register_module(next(), Layers.layerNorm(features));
        steps.add(l::forward);
        return l;
    }

    LinearImpl linear(long in, long out) {
        LinearImpl l = register_module(next(), Layers.linear(in, out));
        steps.add(l::forward);
        return l;
    }

    /** A Java module as the next child. */
    <M extends Block> M block(M m) {
        register_module(next(), m);
        steps.add(m::forward);
        return m;
    }

    /** A parameter-free step; it takes an index as {@code nn.ReLU()} does in Python. */
    Seq op(UnaryOperator<Tensor> f) {
        steps.add(f);
        return this;
    }

    Seq relu() {
        return op(torch::relu);
    }

    Seq relu6() {
        return op(torch::relu6);
    }

    Seq hardswish() {
        return op(torch::hardswish);
    }

    Seq dropout(double p) {
        return op(x -> p > 0 ? torch.dropout(x, p, is_training()) : x);
    }

    int size() {
        return steps.size();
    }

    private String next() {
        return Integer.toString(steps.size());
    }

    @Override
    Tensor forward(Tensor x) {
        for (UnaryOperator<Tensor> s : steps) x = s.apply(x);
        return x;
    }
}
