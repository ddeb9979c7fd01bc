package dev.kinglet.augment;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import dev.kinglet.dsl.AugmentOp;
import dev.kinglet.dsl.CutMix;
import dev.kinglet.dsl.MixUp;
import dev.kinglet.natives.TensorMemory;

/**
 * MixUp and CutMix at batch level: each batch is mixed with a shuffled copy of itself, and the
 * loss is {@code lam * loss(y) + (1 - lam) * loss(y[perm])}. With both in a recipe, each batch
 * draws one of them (as timm does). Random draws come from the step's own seed, so runs repeat.
 */
public final class BatchMix {
    /** A batch after mixing: the images, the partner labels and the weight of the original labels. */
    public record Mixed(Tensor images, Tensor partnerLabels, double lam) {}

    private final List<AugmentOp> ops;

    private BatchMix(List<AugmentOp> ops) {
        this.ops = ops;
    }

    /** The batch-level ops of a train pipeline, or null when there are none. */
    public static BatchMix of(List<AugmentOp> train) {
        List<AugmentOp> ops = new ArrayList<>();
        for (AugmentOp op : train) if (op instanceof MixUp || op instanceof CutMix) ops.add(op);
        return ops.isEmpty() ? null : new BatchMix(ops);
    }

    /** Mixes {@code x} [N,C,H,W] with labels {@code y} [N], or returns null when this batch draws no mixing. */
    public Mixed apply(Tensor x, Tensor y, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        AugmentOp op = ops.get(rng.nextInt(ops.size()));
        double p = op instanceof MixUp m ? m.p() : ((CutMix) op).p();
        if (rng.nextDouble() >= p) return null;
        int n = (int) x.size(0);
        long[] perm = new long[n];
        for (int i = 0; i < n; i++) perm[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            long t = perm[i]; perm[i] = perm[j]; perm[j] = t;
        }
        Tensor index = TensorMemory.fromLongs(perm, n);
        if (!x.device().is_cpu()) index = index.to(x.device(), index.scalar_type());
        Tensor partner = x.index_select(0, index);
        Tensor partnerLabels = y.index_select(0, index);
        if (op instanceof MixUp m) {
            double lam = beta(rng, m.alpha());
            lam = Math.max(lam, 1 - lam); // fastai: the original image stays dominant
            return new Mixed(x.mul(new org.bytedeco.pytorch.Scalar(lam)).add(partner.mul(new org.bytedeco.pytorch.Scalar(1 - lam))), partnerLabels, lam);
        }
        CutMix c = (CutMix) op;
        double lam = beta(rng, c.alpha());
        long h = x.size(2), w = x.size(3);
        long bh = Math.round(h * Math.sqrt(1 - lam)), bw = Math.round(w * Math.sqrt(1 - lam));
        long cy = rng.nextLong(h), cx = rng.nextLong(w);
        long y1 = Math.clamp(cy - bh / 2, 0, h), y2 = Math.clamp(cy + bh / 2, 0, h);
        long x1 = Math.clamp(cx - bw / 2, 0, w), x2 = Math.clamp(cx + bw / 2, 0, w);
        Tensor mixed = x.clone();
        if (y2 > y1 && x2 > x1) {
            mixed.narrow(2, y1, y2 - y1).narrow(3, x1, x2 - x1).copy_(partner.narrow(2, y1, y2 - y1).narrow(3, x1, x2 - x1));
        }
        return new Mixed(mixed, partnerLabels, 1 - (double) (y2 - y1) * (x2 - x1) / (h * w));
    }

    /** A Beta(a, a) draw as G1 / (G1 + G2) of two Gamma(a) draws. */
    static double beta(SplittableRandom rng, double a) {
        double g1 = gamma(rng, a), g2 = gamma(rng, a);
        return g1 + g2 == 0 ? 0.5 : g1 / (g1 + g2);
    }

    /** Marsaglia and Tsang's Gamma(a, 1) sampler; for a < 1 boosted by U^(1/a). */
    static double gamma(SplittableRandom rng, double a) {
        if (a < 1) return gamma(rng, a + 1) * Math.pow(rng.nextDouble(), 1 / a);
        double d = a - 1.0 / 3, c = 1 / Math.sqrt(9 * d);
        while (true) {
            double z, v;
            do {
                z = normal(rng);
                v = 1 + c * z;
            } while (v <= 0);
            v = v * v * v;
            double u = rng.nextDouble();
            if (u < 1 - 0.0331 * z * z * z * z || Math.log(u) < 0.5 * z * z + d * (1 - v + Math.log(v))) return d * v;
        }
    }

    private static double normal(SplittableRandom rng) {
        double u1 = rng.nextDouble(), u2 = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }
}
