package dev.kinglet.natives;

import static org.assertj.core.api.Assertions.assertThat;

import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The gradients of Kinglet's convolutions equal those computed in double precision (LibTorch's
 * own kernels, not oneDNN's), for the shapes where oneDNN's NCHW backward-data pass is wrong on
 * this build ({@link Layers#conv2d}) and for shapes it gets right.
 */
class ConvGradientTest {
    @ParameterizedTest(name = "{0} -> {1} channels, {2}x{2}, groups {3}")
    @CsvSource({
            "16, 1, 3, 1", "8, 1, 3, 1", "16, 3, 3, 1", "16, 8, 3, 1", "16, 24, 3, 1", "16, 40, 3, 1",
            "4, 36, 3, 4", // a harmonic block's DCT filter bank: 9 filters per input channel
            "16, 16, 3, 1", "32, 32, 3, 32", "16, 8, 1, 1"})
    void inputAndWeightGradientsMatchDoublePrecision(long in, long out, long kernel, long groups) {
        Natives.load();
        for (int trial = 0; trial < 3; trial++) {
            try (var s = Scope.step()) {
                torch.manual_seed(trial);
                Tensor x = torch.randn(32, in, 14, 14), w = torch.randn(out, in / groups, kernel, kernel), g = torch.randn(32, out, 14, 14);
                long[] stride = {1, 1}, padding = {kernel / 2, kernel / 2};
                Tensor[] grads = gradients(x, w, g, stride, padding, groups, false);
                Tensor[] exact = gradients(x, w, g, stride, padding, groups, true);
                assertThat(relativeError(grads[0], exact[0])).as("input gradient, trial %d", trial).isLessThan(1e-4);
                assertThat(relativeError(grads[1], exact[1])).as("weight gradient, trial %d", trial).isLessThan(1e-4);
            }
        }
    }

    @ParameterizedTest(name = "a Conv2d module {0} -> {1} channels")
    @CsvSource({"16, 1", "16, 3", "16, 32"})
    void aModulesInputGradientMatchesDoublePrecision(long in, long out) {
        Natives.load();
        Conv2dImpl conv = Layers.conv2d(in, out, 3, 1, 1, true);
        for (int trial = 0; trial < 3; trial++) {
            try (var s = Scope.step()) {
                torch.manual_seed(trial);
                Tensor x = torch.randn(32, in, 14, 14).requires_grad_(true), g = torch.randn(32, out, 14, 14);
                Layers.forward(conv, x).mul(g).sum().backward();
                Tensor xd = x.detach().to(torch.ScalarType.Double).requires_grad_(true);
                Tensor yd = torch.conv2d(xd, conv.weight().detach().to(torch.ScalarType.Double),
                        new org.bytedeco.pytorch.TensorOptional(conv.bias().detach().to(torch.ScalarType.Double)),
                        new long[] {1, 1}, new long[] {1, 1}, new long[] {1, 1}, 1);
                yd.mul(g.to(torch.ScalarType.Double)).sum().backward();
                assertThat(relativeError(x.grad(), xd.grad())).as("input gradient, trial %d", trial).isLessThan(1e-4);
            }
        }
        conv.close();
    }

    /** The input's and the weight's gradient of {@code sum(conv2d(x, w) * g)}, in float through Kinglet or in double. */
    private static Tensor[] gradients(Tensor x, Tensor w, Tensor g, long[] stride, long[] padding, long groups, boolean exact) {
        Tensor xx = (exact ? x.to(torch.ScalarType.Double) : x.clone()).requires_grad_(true);
        Tensor ww = (exact ? w.to(torch.ScalarType.Double) : w.clone()).requires_grad_(true);
        Layers.conv2d(xx, ww, null, stride, padding, groups).mul(exact ? g.to(torch.ScalarType.Double) : g).sum().backward();
        return new Tensor[] {xx.grad().to(torch.ScalarType.Double), ww.grad().to(torch.ScalarType.Double)};
    }

    private static double relativeError(Tensor actual, Tensor expected) {
        double err = actual.to(torch.ScalarType.Double).sub(expected).abs().max().item_double();
        return Double.isNaN(err) ? Double.POSITIVE_INFINITY : err / expected.abs().max().item_double();
    }
}
