package dev.kinglet.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The classification metrics on a case worked out by hand. */
class EvaluationTest {
    static final int[] LABELS = {0, 0, 1, 1, 2, 2};
    static final float[] P = {
            0.7f, 0.2f, 0.1f,   // right, confidence .7
            0.4f, 0.5f, 0.1f,   // wrong (truth second)
            0.1f, 0.8f, 0.1f,   // right, .8
            0.3f, 0.3f, 0.4f,   // wrong; the truth ties with class 0, which ranks first
            0.05f, 0.05f, 0.9f, // right, .9
            0.1f, 0.6f, 0.3f};  // wrong (truth second)
    final Evaluation e = Evaluation.of(P, LABELS, List.of("a", "b", "c"));

    @Test
    void accuracyConfusionPrecisionRecallF1() {
        assertThat(e.accuracy()).isCloseTo(0.5, within(1e-12));
        assertThat(e.confusion()).isDeepEqualTo(new long[][] {{1, 1, 0}, {0, 1, 1}, {0, 1, 1}});
        assertThat(e.recall()).containsExactly(new double[] {0.5, 0.5, 0.5}, within(1e-12));
        assertThat(e.precision()).containsExactly(new double[] {1.0, 1 / 3.0, 0.5}, within(1e-12));
        assertThat(e.f1()).containsExactly(new double[] {2 / 3.0, 0.4, 0.5}, within(1e-12));
        assertThat(e.macroF1()).isCloseTo((2 / 3.0 + 0.4 + 0.5) / 3, within(1e-12));
        assertThat(e.balancedAccuracy()).isCloseTo(0.5, within(1e-12));
    }

    @Test
    void topKLossAndCalibration() {
        assertThat(e.topK(1)).isCloseTo(0.5, within(1e-12));
        assertThat(e.topK(2)).isCloseTo(5 / 6.0, within(1e-12));
        assertThat(e.topK(3)).isEqualTo(1.0);
        double nll = -(Math.log(0.7) + Math.log(0.4) + Math.log(0.8) + Math.log(0.3) + Math.log(0.9) + Math.log(0.3)) / 6;
        assertThat(e.loss()).isCloseTo(nll, within(1e-6));
        // every image falls in its own bin: ECE is the mean |correct - confidence|
        assertThat(e.expectedCalibrationError()).isCloseTo((0.3 + 0.5 + 0.2 + 0.4 + 0.1 + 0.6) / 6, within(1e-6));
        var bins = e.reliability();
        assertThat(bins).hasSize(Evaluation.CALIBRATION_BINS);
        assertThat(bins.stream().mapToInt(Evaluation.Bin::images).sum()).isEqualTo(6);
        assertThat(bins.get(13).images()).isEqualTo(1); // confidence .9 in (13/15, 14/15]
        assertThat(bins.get(13).accuracy()).isEqualTo(1.0);
        assertThat(bins.get(0).confidence()).isNull();
    }

    @Test
    void metricsMapHasEveryNumberByName() {
        var m = e.metrics();
        assertThat(m).containsKeys("accuracy", "balancedAccuracy", "macroF1", "top2", "nll", "ece", "perClass", "confusion", "reliability");
        assertThat(m.get("top2")).isEqualTo(e.topK(2));
    }

    @Test
    void aClassNeverPredictedHasNoPrecisionAndZeroF1() {
        Evaluation x = Evaluation.of(new float[] {0.9f, 0.1f, 0.8f, 0.2f}, new int[] {0, 1}, List.of("a", "b"));
        assertThat(x.precision()[1]).isNaN();
        assertThat(x.f1()[1]).isZero();
        assertThat(x.macroF1()).isCloseTo((2 * 0.5 * 1 / 1.5 + 0) / 2, within(1e-12));
    }
}
