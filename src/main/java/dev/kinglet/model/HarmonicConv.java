package dev.kinglet.model;

import java.util.function.UnaryOperator;

import org.bytedeco.pytorch.BatchNorm2dImpl;
import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import dev.kinglet.natives.Layers;
import dev.kinglet.natives.TensorMemory;

/**
 * A harmonic block (Ulicny, Krylov and Dahyot, "Harmonic Networks with Limited Training Samples",
 * EUSIPCO 2019) in place of a k x k convolution from {@code in} to {@code out} channels: the k*k
 * orthonormal 2-D DCT-II filters applied to every input channel on its own (a depthwise
 * convolution with the replaced convolution's stride and padding), batch norm over the in*k*k
 * responses, and a learned 1x1 convolution to {@code out} channels.
 *
 * <p>Its state: {@code dct}, the filter bank, a buffer of shape [in*k*k, 1, k, k] whose map
 * {@code c*k*k + u*k + v} is input channel c under frequency u down the rows and v along the
 * columns ({@link #bank}); {@code bn}, batch norm without affine scale and shift, as in the
 * authors' code (running statistics only, no parameters); {@code combine}, the 1x1 convolution
 * without bias, in*k*k*out parameters. The bank is a buffer, not a parameter, so no optimiser
 * or weight decay sees it; it is saved with the model and rebuilt identically at construction,
 * so a saved model reloads to the same outputs.
 *
 * <p>Every harmonic block normalises its responses. The authors' networks do so only in the
 * first block and use l1-normalised filters elsewhere; with orthonormal filters and no
 * normalisation a harmonic block would be the ordinary convolution written in another
 * orthonormal basis, which SGD and weight decay train identically.
 */
final class HarmonicConv extends Block {
    private final Tensor dct;
    private final BatchNorm2dImpl bn;
    private final Conv2dImpl combine;
    private final long[] stride, padding;
    private final long in;

    HarmonicConv(long in, long out, int kernel, long stride, long padding) {
        int n = kernel * kernel;
        float[] bank = bank(kernel);
        float[] replicated = new float[Math.toIntExact(in * bank.length)];
        for (int c = 0; c < in; c++) System.arraycopy(bank, 0, replicated, c * bank.length, bank.length);
        // a new handle: the one register_buffer returns points into the module's dictionary
        dct = new Tensor(register_buffer("dct", TensorMemory.fromFloats(replicated, in * n, 1, kernel, kernel)));
        bn = register_module("bn", Layers.batchNorm2d(in * n, false));
        combine = register_module("combine", Layers.conv2d(in * n, out, 1, 1, 0, false));
        this.stride = new long[] {stride, stride};
        this.padding = new long[] {padding, padding};
        this.in = in;
    }

    /**
     * The k*k orthonormal 2-D DCT-II filters, filter {@code u*k + v} at offset {@code (u*k + v)*k*k}
     * with pixel (x, y) (row x, column y) at {@code x*k + y}:
     * f_uv(x, y) = c(u) c(v) cos(pi u (2x+1) / 2k) cos(pi v (2y+1) / 2k), c(0) = sqrt(1/k), c(u>0) = sqrt(2/k).
     */
    static float[] bank(int k) {
        float[] f = new float[k * k * k * k];
        for (int u = 0; u < k; u++) {
            for (int v = 0; v < k; v++) {
                for (int x = 0; x < k; x++) {
                    for (int y = 0; y < k; y++) {
                        f[((u * k + v) * k + x) * k + y] = (float) (scale(u, k) * scale(v, k)
                                * Math.cos(Math.PI * u * (2 * x + 1) / (2.0 * k)) * Math.cos(Math.PI * v * (2 * y + 1) / (2.0 * k)));
                    }
                }
            }
        }
        return f;
    }

    private static double scale(int u, int k) {
        return Math.sqrt((u == 0 ? 1.0 : 2.0) / k);
    }

    /**
     * Registers under {@code name} a harmonic block, or the k x k convolution (no bias) it stands
     * for, and returns its forward pass: networks with an optional harmonic mode build through this.
     */
    static UnaryOperator<Tensor> orConv(Module parent, String name, boolean harmonic, long in, long out, int kernel, long stride, long padding) {
        if (harmonic) return parent.register_module(name, new HarmonicConv(in, out, kernel, stride, padding))::forward;
        Conv2dImpl conv = parent.register_module(name, Layers.conv2d(in, out, kernel, stride, padding, false));
        return x -> Layers.forward(conv, x);
    }

    @Override
    Tensor forward(Tensor x) {
        Tensor responses = Layers.conv2d(x, dct, null, stride, padding, in);
        return Layers.forward(combine, bn.forward(responses));
    }
}
