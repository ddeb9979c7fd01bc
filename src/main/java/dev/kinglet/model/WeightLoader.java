package dev.kinglet.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.bytedeco.pytorch.Tensor;

import dev.kinglet.dsl.Grayscale;
import dev.kinglet.natives.Scope;

/**
 * Copies a state dict into a network by name, as PyTorch's {@code load_state_dict}: every
 * missing key, unexpected key and shape mismatch is named; strict loading refuses any of them.
 * With {@code reinitHead} the head (the last layer group) keeps its fresh initialisation, for
 * new classes, whatever its shape in the file; a first convolution pretrained on RGB meets one-channel input by summing its
 * weights over the input channels.
 */
public final class WeightLoader {
    private WeightLoader() {}

    public record Report(int loaded, List<String> missing, List<String> unexpected, List<String> mismatched,
                         List<String> reinitialised, String adapted) {
        public boolean clean() {
            return missing.isEmpty() && unexpected.isEmpty() && mismatched.isEmpty();
        }

        public String summary() {
            StringBuilder s = new StringBuilder(loaded + " tensors loaded");
            if (!reinitialised.isEmpty()) s.append("; head reinitialised: ").append(reinitialised);
            if (adapted != null) s.append("; ").append(adapted);
            if (!missing.isEmpty()) s.append("; missing: ").append(first(missing));
            if (!unexpected.isEmpty()) s.append("; unexpected: ").append(first(unexpected));
            if (!mismatched.isEmpty()) s.append("; shape mismatch: ").append(first(mismatched));
            return s.toString();
        }

        private static String first(List<String> l) {
            return l.size() <= 8 ? l.toString() : l.subList(0, 8) + " and " + (l.size() - 8) + " more";
        }
    }

    /** Thrown by strict loading: the message names every problem and what would fix it. */
    public static final class MismatchException extends IllegalArgumentException {
        public MismatchException(String message) {
            super(message);
        }
    }

    /**
     * @param weights    tensors by state-dict key (any dtype; converted on copy)
     * @param strict     refuse missing, unexpected and mismatched keys
     * @param reinitHead keep the network's freshly initialised head instead of the file's
     */
    public static Report load(Network net, Map<String, Tensor> weights, boolean strict, boolean reinitHead, Grayscale grayscale) {
        List<String> missing = new ArrayList<>(), mismatched = new ArrayList<>(), reinit = new ArrayList<>();
        Set<String> unexpected = new LinkedHashSet<>(weights.keySet());
        String adapted = null;
        int loaded = 0;
        int head = net.layerGroups().size() - 1;
        Map<String, Tensor> state = net.state();
        try (var scope = Scope.noGrad()) {
            for (var e : state.entrySet()) {
                String key = e.getKey();
                Tensor target = e.getValue();
                Tensor source = weights.get(key);
                unexpected.remove(key);
                if (source == null) {
                    missing.add(key);
                    continue;
                }
                long[] want = target.sizes().vec().get(), have = source.sizes().vec().get();
                if (reinitHead && net.groupOf(key) == head) {
                    reinit.add(key + (Arrays.equals(want, have) ? "" : " " + Arrays.toString(have) + " -> " + Arrays.toString(want)));
                } else if (Arrays.equals(want, have)) {
                    target.copy_(source);
                    loaded++;
                } else if (key.equals(net.firstConv()) && want.length == 4 && want[1] == 1 && have.length == 4 && have[1] == 3
                        && want[0] == have[0] && want[2] == have[2] && want[3] == have[3]) {
                    if (grayscale != Grayscale.SUM) throw new IllegalStateException("a repeat-input network has three input channels");
                    target.copy_(source.sum(new long[] {1}, true, new org.bytedeco.pytorch.ScalarTypeOptional()));
                    adapted = key + " summed over its 3 input channels for grayscale input";
                    loaded++;
                } else {
                    mismatched.add(key + " " + Arrays.toString(have) + " in the file, " + Arrays.toString(want) + " in the model");
                }
            }
        } finally {
            state.values().forEach(Tensor::close);
        }
        Report r = new Report(loaded, missing, List.copyOf(unexpected), mismatched, reinit, adapted);
        if (strict && !r.clean()) {
            throw new MismatchException("weights do not fit the model: " + r.summary()
                    + (r.mismatched().isEmpty() || reinitHead ? "" : " (reinitHead: true starts the classifier afresh, e.g. for other classes)")
                    + " (strict: false loads what fits)");
        }
        return r;
    }
}
