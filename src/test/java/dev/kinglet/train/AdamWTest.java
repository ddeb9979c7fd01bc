package dev.kinglet.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

import dev.kinglet.dsl.Adam;
import dev.kinglet.dsl.AdamW;
import dev.kinglet.dsl.Model;
import dev.kinglet.dsl.Optimizer;
import dev.kinglet.dsl.SmallCnn;
import dev.kinglet.model.Network;
import dev.kinglet.natives.Device;
import dev.kinglet.natives.NativeRuntime;
import dev.kinglet.natives.Scope;
import dev.kinglet.natives.TensorMemory;

/**
 * One or two optimizer steps with known gradients against Adam's closed form. AdamW shrinks the
 * weights by lr * weightDecay besides the Adam step; Adam with weight decay adds it to the
 * gradient (L2), where Adam's normalisation nearly cancels it. Neither decays biases.
 */
class AdamWTest {
    static final double LR = 0.01, WD = 0.1, EPS = 1e-8;

    record Snapshot(Map<String, float[]> weights, Map<String, float[]> grads, Map<String, Integer> dims) {}

    /** Sets every parameter's gradient to seeded random values via backward of sum(p * c), then steps. */
    static Map<String, float[]> step(Learner learner, Network net, Map<String, float[]> grads) {
        Map<String, Tensor> params = net.namedParameters();
        try (var scope = Scope.step()) {
            learner.optimizer().zero_grad();
            Tensor loss = null;
            for (var e : params.entrySet()) {
                Tensor c = TensorMemory.fromFloats(grads.get(e.getKey()), e.getValue().sizes().vec().get());
                Tensor term = e.getValue().mul(c).sum();
                loss = loss == null ? term : loss.add(term);
            }
            loss.backward();
            learner.optimizer().step();
        }
        Map<String, float[]> out = new LinkedHashMap<>();
        params.forEach((k, t) -> out.put(k, TensorMemory.toFloats(t)));
        params.values().forEach(Tensor::close);
        return out;
    }

    static Map<String, float[]> randomGrads(Network net, long seed) {
        Random rng = new Random(seed);
        Map<String, float[]> g = new LinkedHashMap<>();
        Map<String, Tensor> params = net.namedParameters();
        params.forEach((k, t) -> {
            float[] v = new float[(int) t.numel()];
            for (int i = 0; i < v.length; i++) v[i] = (float) (rng.nextGaussian() * 0.01);
            g.put(k, v);
        });
        params.values().forEach(Tensor::close);
        return g;
    }

    interface Rule {
        double apply(double p, double[] grads, boolean decays);
    }

    /** The largest difference between the stepped weights and {@code rule} applied to the initial ones. */
    static double worst(Network net, Map<String, float[]> before, List<Map<String, float[]>> grads, Map<String, float[]> after, Rule rule) {
        Map<String, Tensor> params = net.namedParameters();
        double worst = 0;
        for (var e : params.entrySet()) {
            boolean decays = e.getValue().dim() > 1;
            float[] p0 = before.get(e.getKey()), p1 = after.get(e.getKey());
            for (int i = 0; i < p0.length; i++) {
                double[] g = new double[grads.size()];
                for (int s = 0; s < g.length; s++) g[s] = grads.get(s).get(e.getKey())[i];
                worst = Math.max(worst, Math.abs(p1[i] - rule.apply(p0[i], g, decays)));
            }
        }
        params.values().forEach(Tensor::close);
        return worst;
    }

    static Map<String, float[]> weights(Network net) {
        Map<String, Tensor> params = net.namedParameters();
        Map<String, float[]> out = new LinkedHashMap<>();
        params.forEach((k, t) -> out.put(k, TensorMemory.toFloats(t)));
        params.values().forEach(Tensor::close);
        return out;
    }

    record Trial(Map<String, float[]> before, List<Map<String, float[]>> grads, Map<String, float[]> after, Network net) {}

    static Trial trial(Optimizer opt, int steps) throws Exception {
        try (var f = new Fixture(64, 2)) {
            NativeRuntime.seed(2);
            Network net = Network.build(new Model(new SmallCnn(8, 8, 16, null)), 1, 28, 28, 10);
            try (var learner = new Learner(net, opt, Device.CPU, f.data.train(), f.data.train().statistics(), 64, 2)) {
                Map<String, float[]> before = weights(net), after = null;
                List<Map<String, float[]>> grads = new java.util.ArrayList<>();
                for (int s = 0; s < steps; s++) {
                    grads.add(randomGrads(net, 100 + s));
                    after = step(learner, net, grads.get(s));
                }
                return new Trial(before, grads, after, net);
            }
        }
    }

    @Test
    void adamWDecaysTheWeightsApartFromTheGradientAndAdamAddsItToTheGradient() throws Exception {
        Trial w = trial(new AdamW(LR, WD), 1), a = trial(new Adam(LR, WD), 1);
        try (var wn = w.net(); var an = a.net()) {
            assertThat(w.before().get("conv1.weight")).isEqualTo(a.before().get("conv1.weight"));
            // one step: m^ = g, v^ = g^2
            Rule adamW = (p, g, decays) -> p * (1 - (decays ? LR * WD : 0)) - LR * g[0] / (Math.abs(g[0]) + EPS);
            Rule adamL2 = (p, g, decays) -> {
                double gg = g[0] + (decays ? WD * p : 0);
                return p - LR * gg / (Math.abs(gg) + EPS);
            };
            assertThat(worst(wn, w.before(), w.grads(), w.after(), adamW)).isLessThan(2e-7);
            assertThat(worst(an, a.before(), a.grads(), a.after(), adamL2)).isLessThan(2e-7);
            assertThat(worst(wn, w.before(), w.grads(), w.after(), adamL2)).as("AdamW is not Adam + L2").isGreaterThan(1e-5);
            assertThat(java.util.Arrays.equals(w.after().get("conv1.bias"), a.after().get("conv1.bias"))).as("no decay of biases either way").isTrue();
        }
    }

    @Test
    void betasAreTheRecipes() throws Exception {
        double b1 = 0.5, b2 = 0.9;
        Trial w = trial(new AdamW(LR, WD, List.of(b1, b2)), 2);
        try (var wn = w.net()) {
            Rule twoSteps = (p, g, decays) -> {
                double decay = decays ? LR * WD : 0;
                double m = (1 - b1) * g[0], v = (1 - b2) * g[0] * g[0];
                p = p * (1 - decay) - LR * (m / (1 - b1)) / (Math.sqrt(v / (1 - b2)) + EPS);
                m = b1 * m + (1 - b1) * g[1];
                v = b2 * v + (1 - b2) * g[1] * g[1];
                return p * (1 - decay) - LR * (m / (1 - b1 * b1)) / (Math.sqrt(v / (1 - b2 * b2)) + EPS);
            };
            assertThat(worst(wn, w.before(), w.grads(), w.after(), twoSteps)).isLessThan(5e-7);
        }
    }
}
