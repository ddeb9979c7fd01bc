package dev.kinglet.train;

import java.util.Arrays;
import java.util.Set;

import org.bytedeco.pytorch.Tensor;

import dev.kinglet.natives.TensorMemory;

/**
 * Regression targets standardised per target: the network learns {@code (y - mean) / std} and
 * its outputs are mapped back with {@code z * std + mean} before any metric, validation or
 * prediction. Without it a target of small scale (a brightness with std 0.13) gives the loss
 * gradients ~50 times smaller than one of scale 1, and is learned far more slowly. The
 * statistics come from the job's training images only.
 *
 * <p>A target that a label rule negates (a flip turns a steering angle {@code y} into
 * {@code -y}) is scaled but not centred: {@code mean = 0} and {@code std} is its root mean
 * square, the spread about zero. Centring at {@code m} would give a flipped image the target
 * {@code (-y - m) / s}, not {@code -(y - m) / s}: negation commutes with the transform only at
 * mean 0. Scaling after augmentation keeps training exact either way, but only with mean 0 does
 * the network's output space keep the targets' symmetry ({@code f(flip x) = -f(x)}), and flips at
 * probability 1/2 make the training distribution symmetric about zero anyway, so the root mean
 * square is its standard deviation. A constant target (std 0) is only centred.
 *
 * @param mean per target, subtracted ({@code 0} for negated targets)
 * @param std  per target, divided by; positive
 */
public record TargetScaling(float[] mean, float[] std) {
    public TargetScaling {
        if (mean.length != std.length) throw new IllegalArgumentException(mean.length + " means but " + std.length + " standard deviations");
        for (float s : std) if (!(s > 0) || !Float.isFinite(s)) throw new IllegalArgumentException("a target's std must be positive and finite, got " + s);
        mean = mean.clone();
        std = std.clone();
    }

    /** No change: what a model saved before targets were standardised was trained on. */
    public static TargetScaling identity(int targets) {
        float[] one = new float[targets];
        Arrays.fill(one, 1f);
        return new TargetScaling(new float[targets], one);
    }

    /**
     * The scaling of {@code targets} ({@code [n, t]}, row-major, the training images' values):
     * mean and population standard deviation per target, except for the indices in
     * {@code negated}, which get mean 0 and their root mean square (see the class comment).
     */
    public static TargetScaling fit(float[] targets, int t, Set<Integer> negated) {
        if (t < 1 || targets.length % t != 0) throw new IllegalArgumentException(targets.length + " values are not rows of " + t + " targets");
        int n = targets.length / t;
        if (n == 0) throw new IllegalArgumentException("no training images to standardise the targets on");
        float[] mean = new float[t], std = new float[t];
        for (int j = 0; j < t; j++) {
            double m = 0;
            if (!negated.contains(j)) {
                for (int i = 0; i < n; i++) m += targets[i * t + j];
                m /= n;
            }
            double ss = 0;
            for (int i = 0; i < n; i++) {
                double d = targets[i * t + j] - m;
                ss += d * d;
            }
            double s = Math.sqrt(ss / n);
            mean[j] = (float) m;
            std[j] = s > 1e-12 * Math.max(1, Math.abs(m)) && Double.isFinite(s) ? (float) s : 1f;
        }
        return new TargetScaling(mean, std);
    }

    public int targets() {
        return mean.length;
    }

    @Override
    public float[] mean() {
        return mean.clone();
    }

    @Override
    public float[] std() {
        return std.clone();
    }

    /** {@code (y - mean) / std} of a {@code [batch, targets]} tensor, as a new tensor on {@code y}'s device (in the caller's scope). */
    public Tensor standardise(Tensor y) {
        int t = targets();
        Tensor m = TensorMemory.fromFloats(mean, 1, t), s = TensorMemory.fromFloats(std, 1, t);
        if (!y.is_cpu()) {
            m = m.to(y.device(), m.scalar_type());
            s = s.to(y.device(), s.scalar_type());
        }
        return y.sub(m).div(s);
    }

    /** {@code (y - mean) / std} of row-major {@code [n, targets]} values, as a new array. */
    public float[] standardise(float[] y) {
        float[] z = new float[y.length];
        for (int i = 0; i < y.length; i++) z[i] = (float) ((y[i] - (double) mean[i % mean.length]) / std[i % std.length]);
        return z;
    }

    /** {@code z * std + mean} of row-major {@code [n, targets]} network outputs, as a new array: values in the targets' own units. */
    public float[] restore(float[] z) {
        float[] y = new float[z.length];
        for (int i = 0; i < z.length; i++) y[i] = (float) (z[i] * (double) std[i % std.length] + mean[i % mean.length]);
        return y;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TargetScaling s && Arrays.equals(mean, s.mean) && Arrays.equals(std, s.std);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        return "TargetScaling[mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + "]";
    }
}
