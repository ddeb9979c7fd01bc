package dev.kinglet.natives;

import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.BatchNorm2dImpl;
import org.bytedeco.pytorch.BatchNormOptions;
import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.Conv2dOptions;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.LinearOptions;

/** LibTorch layers with PyTorch's defaults, made without JavaCPP's option plumbing in engine code. */
public final class Layers {
    private Layers() {}

    /** {@code nn.Conv2d(in, out, kernel, stride, padding, bias=bias)} with square kernel, stride and padding. */
    public static Conv2dImpl conv2d(long in, long out, long kernel, long stride, long padding, boolean bias) {
        return conv2d(in, out, kernel, stride, padding, 1, bias);
    }

    /** {@code nn.Conv2d(in, out, kernel, stride, padding, groups=groups, bias=bias)}: depthwise when groups == in. */
    public static Conv2dImpl conv2d(long in, long out, long kernel, long stride, long padding, long groups, boolean bias) {
        Natives.load();
        Conv2dOptions o = new Conv2dOptions(in, out, new LongPointer(kernel, kernel));
        o.stride().put(new LongPointer(stride, stride));
        o.padding().put(new LongPointer(padding, padding));
        o.groups().put(groups);
        o.bias().put(bias);
        return new Conv2dImpl(o);
    }

    /** {@code nn.BatchNorm2d(features)}: eps 1e-5, momentum 0.1, affine, tracking running statistics. */
    public static BatchNorm2dImpl batchNorm2d(long features) {
        Natives.load();
        return new BatchNorm2dImpl(new BatchNormOptions(features));
    }

    /** {@code nn.BatchNorm2d(features, affine=affine)}: without the affine scale and shift it has no parameters, only running statistics. */
    public static BatchNorm2dImpl batchNorm2d(long features, boolean affine) {
        Natives.load();
        BatchNormOptions o = new BatchNormOptions(features);
        o.affine().put(affine);
        return new BatchNorm2dImpl(o);
    }

    /** {@code nn.BatchNorm2d(features, eps, momentum)}. */
    public static BatchNorm2dImpl batchNorm2d(long features, double eps, double momentum) {
        Natives.load();
        BatchNormOptions o = new BatchNormOptions(features);
        o.eps().put(eps);
        o.momentum().put(momentum);
        return new BatchNorm2dImpl(o);
    }

    /** {@code nn.Linear(in, out)}. */
    public static LinearImpl linear(long in, long out) {
        Natives.load();
        return new LinearImpl(in, out);
    }

    /** {@code nn.Linear(in, out, bias=bias)}. */
    public static LinearImpl linear(long in, long out, boolean bias) {
        Natives.load();
        LinearOptions o = new LinearOptions(in, out);
        o.bias().put(bias);
        return new LinearImpl(o);
    }
}
