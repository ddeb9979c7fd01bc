package dev.kinglet.train;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

import dev.kinglet.model.Network;
import dev.kinglet.natives.Scope;

/**
 * An exponential moving average of the weights, as timm's {@code ModelEmaV2} and Keras'
 * {@code use_ema}: after every optimizer step each parameter's shadow becomes
 * {@code decay * shadow + (1 - decay) * weight}, and buffers (batch-norm running statistics,
 * counters) are copied. Validation sees the shadow (swapped in around it, the training weights
 * put back bit for bit after), and {@link #useAverage()} leaves it in the model for testing and
 * saving. The shadow is part of every checkpoint.
 */
public final class Ema implements Callback, Checkpointed, AutoCloseable {
    private final Network model;
    private final double decay;
    private final boolean warmup;
    private Map<String, Tensor> live;
    private final Set<String> parameters = new HashSet<>();
    private WeightCopy shadow, backup;
    private boolean swapped, done;

    public Ema(Network model, double decay) {
        this(model, decay, false);
    }

    /**
     * @param warmup whether the decay at step t is {@code min(decay, (1 + t) / (10 + t))}, as
     *               TensorFlow's moving average with {@code num_updates}: early weights then do not
     *               dominate a short run's average (0.999 keeps 22 % of the initial weights after 1,500 steps otherwise)
     */
    public Ema(Network model, double decay, boolean warmup) {
        if (!(decay > 0 && decay < 1)) throw new IllegalArgumentException("EMA decay must be in (0, 1), got " + decay);
        this.model = model;
        this.decay = decay;
        this.warmup = warmup;
    }

    @Override
    public int order() {
        return 30; // at AFTER_VALIDATE after early stopping has copied the weights it validated
    }

    @Override
    public void on(Event event, TrainState s) {
        switch (event) {
            case BEFORE_FIT -> start();
            case AFTER_STEP -> update(s.step());
            case BEFORE_VALIDATE -> swapIn();
            case AFTER_VALIDATE -> swapOut();
            case BEFORE_EPOCH, BEFORE_STEP, AFTER_EPOCH, AFTER_FIT -> { }
        }
    }

    private void start() {
        if (shadow != null) return; // a later stage of fine-tuning continues the average
        live = model.state();
        var named = model.namedParameters();
        parameters.addAll(named.keySet());
        named.values().forEach(Tensor::close);
        shadow = new WeightCopy(live);
    }

    /** The decay applied after optimizer step {@code step} (counted from 1). */
    double decayAt(long step) {
        return warmup ? Math.min(decay, (1.0 + step) / (10.0 + step)) : decay;
    }

    private void update(long step) {
        if (done) throw new IllegalStateException("the averaged weights are already in the model: train no more with this EMA");
        double d = decayAt(step);
        try (var scope = Scope.noGrad()) {
            Scalar keep = new Scalar(d), take = new Scalar(1 - d);
            shadow.tensors().forEach((name, e) -> {
                Tensor w = live.get(name);
                if (parameters.contains(name) && e.is_floating_point()) e.mul_(keep).add_(w, take);
                else e.copy_(w);
            });
        }
    }

    /** Puts the averaged weights into the model until {@link #swapOut()}; the training weights wait in a copy. */
    public void swapIn() {
        if (swapped || done || shadow == null) return;
        if (backup == null) backup = new WeightCopy(live);
        else backup.copyFrom(live);
        shadow.copyTo(live);
        swapped = true;
    }

    /** Puts the training weights back. */
    public void swapOut() {
        if (!swapped) return;
        backup.copyTo(live);
        swapped = false;
    }

    /** Leaves the averaged weights in the model for good (after training: to test and save them). */
    public void useAverage() {
        if (shadow == null) return;
        swapIn();
        swapped = false;
        done = true;
    }

    public double decay() {
        return decay;
    }

    /** Whether the decay is warmed up over the first steps ({@link #decayAt}). */
    public boolean warmup() {
        return warmup;
    }

    /** The averaged weights and buffers by state-dict name (owned by this EMA). */
    public Map<String, Tensor> shadow() {
        return shadow.tensors();
    }

    @Override
    public String checkpointName() {
        return "ema";
    }

    @Override
    public Map<String, Tensor> checkpointTensors() {
        return shadow.tensors();
    }

    @Override
    public Map<String, Double> checkpointValues() {
        return Map.of("decay", decay, "warmup", warmup ? 1.0 : 0.0); // for the record: the recipe sets them
    }

    @Override
    public void restoreCheckpoint(Map<String, Tensor> tensors, Map<String, Double> values) {
        start();
        shadow.load(tensors, "the EMA");
    }

    @Override
    public void close() {
        if (shadow != null) shadow.close();
        if (backup != null) backup.close();
        if (live != null) live.values().forEach(Tensor::close);
    }
}
