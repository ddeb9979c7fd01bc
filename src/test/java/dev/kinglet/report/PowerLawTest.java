package dev.kinglet.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class PowerLawTest {
    static final double[] N = {5, 10, 20, 50, 100, 200, 500};

    static double truth(double n) {
        return 0.9 - 0.5 * Math.pow(n, -0.5);
    }

    @Test
    void recoversAnExactCurveAndInvertsIt() {
        List<List<Double>> v = new ArrayList<>();
        for (double n : N) v.add(List.of(truth(n)));
        PowerLaw.Fit f = PowerLaw.fit(N, v);
        assertThat(f.a()).isCloseTo(0.9, within(1e-3));
        assertThat(f.b()).isCloseTo(0.5, within(5e-3));
        assertThat(f.c()).isCloseTo(0.5, within(5e-3));
        assertThat(f.rmse()).isLessThan(1e-4);
        // 0.88 = 0.9 - 0.5 n^-0.5  <=>  n = (0.5 / 0.02)^2 = 625
        assertThat(f.needed(0.88)).isCloseTo(625, within(15.0));
        assertThat(f.needed(0.95)).isInfinite();
    }

    @Test
    void noisySeedsGiveAnIntervalAroundTheTruth() {
        SplittableRandom r = new SplittableRandom(3);
        List<List<Double>> v = new ArrayList<>();
        for (double n : N) {
            List<Double> seeds = new ArrayList<>();
            for (int s = 0; s < 5; s++) seeds.add(truth(n) + 0.002 * (r.nextDouble() * 2 - 1));
            v.add(seeds);
        }
        PowerLaw.Estimate e = PowerLaw.estimate(N, v, 0.87, 500, 1);
        // truth: (0.5 / 0.03)^2 = 277.8, inside the measured range
        assertThat(e.needed()).isCloseTo(277.8, within(40.0));
        assertThat(e.ciLow()).isLessThan(277.8);
        assertThat(e.ciHigh()).isGreaterThan(277.8);
        assertThat(e.verdict()).isEqualTo("the target is already reached within the measured range");
        PowerLaw.Estimate beyond = PowerLaw.estimate(N, v, 0.885, 500, 1);
        assertThat(beyond.verdict()).startsWith("about");
        assertThat(beyond.needed()).isGreaterThan(500);
    }

    @Test
    void aTargetAboveTheAsymptoteOrTooFewPointsIsSaidSo() {
        List<List<Double>> v = new ArrayList<>();
        for (double n : N) v.add(List.of(truth(n), truth(n) + 0.001));
        assertThat(PowerLaw.estimate(N, v, 0.97, 200, 1).verdict()).contains("levels off");
        assertThat(PowerLaw.estimate(new double[] {10, 20}, v.subList(0, 2), 0.8, 200, 1).verdict()).contains("at least 3 points");
    }
}
