package dev.kinglet.train;

import java.util.LinkedHashMap;
import java.util.Map;

import org.bytedeco.pytorch.Tensor;

import dev.kinglet.model.Network;
import dev.kinglet.natives.Scope;

/**
 * A copy of a network's parameters and buffers by state-dict name, kept beside it on the same
 * device: the averaged weights of {@link Ema}, the best weights of {@link EarlyStopper}. Copies
 * run with autograd off, in a scope.
 */
final class WeightCopy implements AutoCloseable {
    private final Map<String, Tensor> tensors = new LinkedHashMap<>();

    /** A copy of the current state of {@code live} (handles from {@link Network#state()}). */
    WeightCopy(Map<String, Tensor> live) {
        try (var scope = Scope.noGrad()) {
            live.forEach((name, t) -> tensors.put(name, scope.keep(t.detach().clone())));
        }
    }

    Map<String, Tensor> tensors() {
        return tensors;
    }

    /** This copy := {@code live}. */
    void copyFrom(Map<String, Tensor> live) {
        copy(live, tensors);
    }

    /** {@code live} := this copy. */
    void copyTo(Map<String, Tensor> live) {
        copy(tensors, live);
    }

    /** Loads saved tensors of the same names and shapes (a checkpoint's). */
    void load(Map<String, Tensor> saved, String what) {
        if (!saved.keySet().equals(tensors.keySet())) {
            throw new IllegalStateException(what + " in the checkpoint has " + saved.size() + " tensors, the model " + tensors.size()
                    + ": the recipe or model changed since; run it afresh");
        }
        copy(saved, tensors);
    }

    private static void copy(Map<String, Tensor> from, Map<String, Tensor> to) {
        try (var scope = Scope.noGrad()) {
            to.forEach((name, t) -> t.copy_(from.get(name)));
        }
    }

    @Override
    public void close() {
        tensors.values().forEach(Tensor::close);
        tensors.clear();
    }
}
