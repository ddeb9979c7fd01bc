package dev.kinglet.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Map;

import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

import dev.kinglet.natives.TensorMemory;

class LrFinderTest {
    static Map<String, float[]> state(Fixture f) {
        Map<String, Tensor> s = f.net.state();
        Map<String, float[]> out = new java.util.LinkedHashMap<>();
        s.forEach((k, t) -> out.put(k, t.is_floating_point() ? TensorMemory.toFloats(t) : new float[] {TensorMemory.toLongs(t)[0]}));
        s.values().forEach(Tensor::close);
        return out;
    }

    @Test
    void ratesGrowExponentiallyTheLossFallsThenRisesAndTheWeightsArePutBack() throws Exception {
        try (var f = new Fixture(32, 4)) {
            Map<String, float[]> before = state(f);
            LrFinder.Result r = LrFinder.run(f.learner, 1e-7, 10, 100);
            Map<String, float[]> after = state(f);
            for (String k : before.keySet()) assertThat(Arrays.equals(after.get(k), before.get(k))).as(k).isTrue();
            assertThat(r.lrs()[0]).isEqualTo(1e-7);
            for (int i = 1; i < r.lrs().length; i++) assertThat(r.lrs()[i] / r.lrs()[i - 1]).isCloseTo(Math.pow(1e8, 0.01), org.assertj.core.data.Offset.offset(1e-9));
            // this small CNN with batch norm learns from about 1e-5 on and gets worse past about 5e-3, but at
            // lr 10 its smoothed loss stays below 4x the minimum: all 100 steps run
            assertThat(r.lrs().length == 100 || r.diverged()).isTrue();
            double[] loss = r.losses();
            double min = Arrays.stream(loss).min().orElseThrow();
            assertThat(min).as("it learns").isLessThan(loss[0] - 0.3);
            assertThat(loss[loss.length - 1]).as("and gets worse at high rates").isGreaterThan(min + 0.5);
            assertThat(r.valley()).isBetween(1e-5, 1e-1);
            assertThat(r.steep()).isBetween(1e-6, 1e-1);
        }
    }

    @Test
    void sgdOnAnMlpDivergesAndTheProbeStopsThere() throws Exception {
        try (var f = new Fixture(32, 4)) {
            dev.kinglet.natives.NativeRuntime.seed(4);
            var net = dev.kinglet.model.Network.build(new dev.kinglet.dsl.Model(new dev.kinglet.dsl.Mlp(java.util.List.of(64), 0.0)), 1, 28, 28, 10);
            try (net; var learner = new Learner(net, new dev.kinglet.dsl.Sgd(0.01, 0.9, 0.0, false), dev.kinglet.natives.Device.CPU,
                    f.data.train(), f.data.train().statistics(), 32, 4)) {
                LrFinder.Result r = LrFinder.run(learner, 1e-7, 10, 100);
                assertThat(r.diverged()).isTrue();
                assertThat(r.lrs().length).isBetween(20, 99);
                assertThat(r.valley()).isLessThan(r.lrs()[r.lrs().length - 1]);
            }
        }
    }

    @Test
    void valleyIsHalfwayDownTheLongestDescentAndSteepIsTheSteepestDrop() {
        double[] loss = {3, 3.1, 2.9, 2.5, 2.0, 1.4, 1.2, 1.1, 1.05, 1.3, 2.0, 5.0};
        // the longest decreasing run has 8 points and ends at index 8 (1.05): start 8 - 8 = 0, then 0 + 2 + 1
        assertThat(LrFinder.valley(loss)).isEqualTo(3);
        double[] lr = new double[loss.length];
        for (int i = 0; i < lr.length; i++) lr[i] = Math.pow(10, -5 + 0.5 * i);
        assertThat(LrFinder.steep(lr, loss)).isEqualTo(4); // 2.0 -> 1.4, the largest drop per decade
    }
}
