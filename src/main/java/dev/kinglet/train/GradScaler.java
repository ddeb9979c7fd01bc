package dev.kinglet.train;

import java.util.Map;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import dev.kinglet.natives.Scope;
import dev.kinglet.natives.TensorMemory;

/**
 * Dynamic loss scaling for mixed precision, as PyTorch's {@code torch.amp.GradScaler} (which
 * LibTorch's C++ API lacks): the loss is multiplied by a scale before backward so small float16
 * gradients do not flush to zero; the gradients are divided by it again before clipping and the
 * update. A step whose gradients hold an infinity or NaN is skipped and the scale halved; after
 * {@code growthInterval} good steps in a row it doubles. Scales are powers of two, so scaling and
 * unscaling are exact in floating point: without an overflow the weights are the same, bit for
 * bit, as without scaling. Its scale and count ride in checkpoints.
 */
public final class GradScaler implements Callback, Checkpointed, AutoCloseable {
    /** PyTorch's defaults. */
    public static final double INIT_SCALE = 65536, GROWTH = 2, BACKOFF = 0.5;
    public static final int GROWTH_INTERVAL = 2000;

    private double scale;
    private final int growthInterval;
    private int goodSteps;
    private long skipped;
    private final Tensor saved;

    public GradScaler() {
        this(INIT_SCALE, GROWTH_INTERVAL);
    }

    /** @param initScale a power of two */
    public GradScaler(double initScale, int growthInterval) {
        if (!(initScale > 0) || initScale > 0x1p127 || initScale != Math.scalb(1.0, Math.getExponent(initScale))) {
            throw new IllegalArgumentException("the initial loss scale must be a power of two up to 2^127, got " + initScale);
        }
        if (growthInterval < 1) throw new IllegalArgumentException("growth interval must be >= 1, got " + growthInterval);
        this.scale = initScale;
        this.growthInterval = growthInterval;
        dev.kinglet.natives.Natives.load();
        this.saved = torch.zeros(1); // made here, outside any step's scope: it lives as long as the scaler
    }

    public double scale() {
        return scale;
    }

    /** Steps skipped for an overflow so far. */
    public long skipped() {
        return skipped;
    }

    /** The loss to call backward on. */
    Tensor scaled(Tensor loss) {
        return loss.to(torch.ScalarType.Float).mul(new org.bytedeco.pytorch.Scalar(scale));
    }

    /**
     * Divides every gradient of {@code parameters} by the scale, in place; returns false if any
     * gradient is infinite or NaN (the step must then be skipped: see {@link #update}).
     */
    boolean unscale(Iterable<Tensor> parameters) {
        double inverse = 1.0 / scale;
        try (var s = Scope.noGrad()) {
            Tensor total = null;
            for (Tensor p : parameters) {
                Tensor g = p.grad();
                if (g == null || !g.defined()) continue;
                g.mul_(new org.bytedeco.pytorch.Scalar(inverse));
                Tensor bad = torch.isfinite(g).logical_not().sum();
                total = total == null ? bad : total.add(bad);
            }
            return total == null || total.item_long() == 0;
        }
    }

    /** After a step: {@code finite} false halves the scale (the step was skipped); a run of good steps doubles it. */
    void update(boolean finite) {
        if (!finite) {
            scale *= BACKOFF;
            goodSteps = 0;
            skipped++;
        } else if (++goodSteps >= growthInterval) {
            scale *= GROWTH;
            goodSteps = 0;
        }
    }

    @Override
    public void on(Event event, TrainState state) {
        // the learner calls scaled, unscale and update itself; a callback only to ride in checkpoints
    }

    @Override
    public String checkpointName() {
        return "gradScaler";
    }

    @Override
    public Map<String, Tensor> checkpointTensors() {
        saved.fill_(new org.bytedeco.pytorch.Scalar(scale));
        return Map.of("scale", saved);
    }

    @Override
    public Map<String, Double> checkpointValues() {
        return Map.of("goodSteps", (double) goodSteps, "skipped", (double) skipped);
    }

    @Override
    public void restoreCheckpoint(Map<String, Tensor> tensors, Map<String, Double> values) {
        scale = TensorMemory.toFloats(tensors.get("scale"))[0];
        goodSteps = values.get("goodSteps").intValue();
        skipped = values.get("skipped").longValue();
    }

    @Override
    public void close() {
        saved.close();
    }
}
