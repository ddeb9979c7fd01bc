package dev.kinglet.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

import dev.kinglet.dsl.OneCycle;
import dev.kinglet.dsl.Schedule;

class LrScheduleTest {
    @Test
    void oneCycleWarmsUpToThePeakAndAnnealsAsFastai() {
        var s = new OneCycle(0.25, 25.0, 1e5);
        assertThat(LrSchedule.factor(s, 0, 100, 10)).isCloseTo(1 / 25.0, within(1e-12));
        assertThat(LrSchedule.factor(s, 25, 100, 10)).isCloseTo(1.0, within(1e-12));
        assertThat(LrSchedule.factor(s, 100, 100, 10)).isCloseTo(1 / 25.0 / 1e5, within(1e-12));
        // halfway through the warm-up, cosine interpolation sits at the mean of its ends
        assertThat(LrSchedule.factor(s, 125, 1000, 10)).isCloseTo((1 / 25.0 + 1) / 2, within(1e-12));
    }

    @Test
    void cosineRestartsBeginsEachCycleAtThePeak() {
        var s = new Schedule.CosineRestarts(2, 2, 0.0);
        assertThat(LrSchedule.factor(s, 0, 140, 10)).isCloseTo(1.0, within(1e-12));
        assertThat(LrSchedule.factor(s, 10, 140, 10)).isCloseTo(0.5, within(1e-12));   // middle of cycle 1 (epochs 0-2)
        assertThat(LrSchedule.factor(s, 20, 140, 10)).isCloseTo(1.0, within(1e-12));   // restart, cycle 2 (epochs 2-6)
        assertThat(LrSchedule.factor(s, 60, 140, 10)).isCloseTo(1.0, within(1e-12));   // restart, cycle 3 (epochs 6-14)
    }

    @Test
    void stepCosineAndConstant() {
        assertThat(LrSchedule.factor(new Schedule.Step(3, 0.1), 65, 100, 10)).isCloseTo(0.01, within(1e-12));
        assertThat(LrSchedule.factor(new Schedule.Constant(), 65, 100, 10)).isEqualTo(1.0);
        var cos = new Schedule.Cosine(1.0, 0.0);
        assertThat(LrSchedule.factor(cos, 4, 100, 10)).isCloseTo(0.5, within(1e-12));   // linear warm-up over 10 steps
        assertThat(LrSchedule.factor(cos, 55, 100, 10)).isCloseTo(0.5, within(1e-12));  // middle of the decay
    }
}
