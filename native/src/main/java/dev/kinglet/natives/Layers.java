package dev.kinglet.natives;

import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.BatchNorm1dImpl;
import org.bytedeco.pytorch.BatchNorm2dImpl;
import org.bytedeco.pytorch.BatchNormOptions;
import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.Conv2dOptions;
import org.bytedeco.pytorch.LayerNormImpl;
import org.bytedeco.pytorch.LayerNormOptions;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.LinearOptions;
import org.bytedeco.pytorch.LongVector;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

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

    /** {@code nn.BatchNorm1d(features)}: eps 1e-5, momentum 0.1, affine, tracking running statistics. */
    public static BatchNorm1dImpl batchNorm1d(long features) {
        Natives.load();
        return new BatchNorm1dImpl(new BatchNormOptions(features));
    }

    /** {@code nn.LayerNorm(features)}: over the last dimension, eps 1e-5, with a scale and shift. */
    public static LayerNormImpl layerNorm(long features) {
        Natives.load();
        return new LayerNormImpl(new LayerNormOptions(new LongVector(features)));
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

    /** {@code c.forward(x)}: the module's convolution through {@link #conv2d(Tensor, Tensor, Tensor, long[], long[], long)}'s guard. */
    public static Tensor forward(Conv2dImpl c, Tensor x) {
        if (!oneDnnBackwardWrong(x, c.weight(), c.options().groups().get())) return c.forward(x);
        return c.forward(x.contiguous(torch.MemoryFormat.ChannelsLast)).contiguous();
    }

    /**
     * {@code F.conv2d(x, weight, bias, stride, padding, groups=groups)} (bias may be null), in a
     * memory layout whose gradient LibTorch computes right.
     *
     * <p>Measured on this build (LibTorch 2.10, oneDNN 3.7.1, AMD EPYC with AVX-512): for a k x k
     * convolution (k > 1, one group) whose output channels are not a multiple of 16, oneDNN's
     * backward-data pass on a contiguous (NCHW) input returns a gradient of the input that is wrong (relative error 0.2-1.0 against LibTorch's own kernels and double
     * precision) and at times NaN, with one thread as with several; forward and weight
     * gradients are right. An autoencoder's last 16-to-1-channel convolution turned its loss NaN
     * in the first epoch. The same convolution on a channels-last input is right to 1e-6, so such
     * a convolution, when its input needs a gradient, runs channels-last and gives its output back
     * contiguous. Grouped convolutions (depthwise, a harmonic block's filter bank) are right in
     * NCHW and wrong channels-last, so they, the others, and inference are untouched.
     */
    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, long[] stride, long[] padding, long groups) {
        TensorOptional b = bias == null ? new TensorOptional() : new TensorOptional(bias);
        long[] dilation = {1, 1};
        if (!oneDnnBackwardWrong(x, weight, groups)) return torch.conv2d(x, weight, b, stride, padding, dilation, groups);
        return torch.conv2d(x.contiguous(torch.MemoryFormat.ChannelsLast), weight, b, stride, padding, dilation, groups).contiguous();
    }

    /** Whether {@code x}'s gradient through this convolution would come from oneDNN's faulty NCHW backward-data kernel. */
    static boolean oneDnnBackwardWrong(Tensor x, Tensor weight, long groups) {
        if (groups != 1 || !x.requires_grad() || !x.is_cpu() || x.dim() != 4) return false;
        return weight.size(2) * weight.size(3) > 1 && weight.size(0) % 16 != 0;
    }
}
