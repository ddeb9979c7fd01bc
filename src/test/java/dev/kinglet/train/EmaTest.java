package dev.kinglet.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

import dev.kinglet.natives.TensorMemory;

class EmaTest {
    static float[] floats(Map<String, Tensor> state, String name) {
        return TensorMemory.toFloats(state.get(name));
    }

    /** Copies of a few parameters and a buffer, at the start of the fit and after every step. */
    static final class Recorder implements Callback {
        final List<String> names;
        final List<Map<String, float[]>> afterSteps = new ArrayList<>();
        Map<String, float[]> start;
        final Map<String, Tensor> live;

        Recorder(Map<String, Tensor> live, List<String> names) {
            this.live = live;
            this.names = names;
        }

        Map<String, float[]> now() {
            Map<String, float[]> m = new java.util.LinkedHashMap<>();
            for (String n : names) m.put(n, floats(live, n));
            return m;
        }

        @Override
        public void on(Event event, TrainState s) {
            if (event == Event.BEFORE_FIT && start == null) start = now();
            if (event == Event.AFTER_STEP) afterSteps.add(now());
        }
    }

    @Test
    void shadowFollowsTheFormulaAndValidationAndTestUseIt() throws Exception {
        try (var f = new Fixture(200, 5); var ema = new Ema(f.net, 0.8)) {
            Map<String, Tensor> live = f.net.state();
            List<String> params = new ArrayList<>(f.net.namedParameters().keySet());
            String weight = params.get(0), bias = params.get(1), buffer = live.keySet().stream().filter(k -> k.endsWith("running_mean")).findFirst().orElseThrow();
            var recorder = new Recorder(live, List.of(weight, bias, buffer));
            float[][] duringValidation = new float[1][];
            f.learner.add(ema).add(recorder).add(new Callback() {
                @Override public int order() { return 10; } // after early stopping's place, before Ema swaps back
                @Override public void on(Event e, TrainState s) {
                    if (e == Event.AFTER_VALIDATE) duringValidation[0] = floats(live, weight);
                }
            });
            f.learner.validateOn(f.data.test());
            f.learner.fit(1);
            int steps = recorder.afterSteps.size();
            assertThat(steps).isEqualTo(5);

            for (String name : List.of(weight, bias)) {
                double[] expected = new double[recorder.start.get(name).length];
                for (int i = 0; i < expected.length; i++) expected[i] = recorder.start.get(name)[i];
                for (var step : recorder.afterSteps) {
                    float[] w = step.get(name);
                    for (int i = 0; i < expected.length; i++) expected[i] = 0.8 * expected[i] + 0.2 * w[i];
                }
                float[] shadow = floats(ema.shadow(), name);
                double worst = 0;
                for (int i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(shadow[i] - expected[i]));
                assertThat(worst).as("%s follows 0.8 * shadow + 0.2 * weight", name).isLessThan(1e-6);
                assertThat(Arrays.equals(shadow, recorder.afterSteps.get(steps - 1).get(name))).as("the average lags the weights").isFalse();
            }
            assertThat(Arrays.equals(floats(ema.shadow(), buffer), recorder.afterSteps.get(steps - 1).get(buffer))).as("buffers are copied").isTrue();

            float[] trained = recorder.afterSteps.get(steps - 1).get(weight);
            assertThat(Arrays.equals(duringValidation[0], floats(ema.shadow(), weight))).as("validation sees the average").isTrue();
            assertThat(Arrays.equals(floats(live, weight), trained)).as("training weights are back after validation").isTrue();

            double validated = f.learner.state().validation().accuracy();
            ema.useAverage();
            assertThat(Arrays.equals(floats(live, weight), floats(ema.shadow(), weight))).isTrue();
            Evaluation test = f.learner.evaluate(f.data.test());
            assertThat(test.accuracy()).as("the same weights on the same images").isEqualTo(validated);
            live.values().forEach(Tensor::close);
        }
    }
}
