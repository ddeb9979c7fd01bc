package dev.kinglet.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

import dev.kinglet.dsl.EarlyStopping;
import dev.kinglet.natives.Scope;
import dev.kinglet.natives.TensorMemory;

class EarlyStoppingTest {
    /** Validation results with accuracy {@code correct}/10 and a loss that falls with it. */
    static Evaluation accuracy(int correct) {
        float[] p = new float[10 * 2];
        int[] labels = new int[10];
        for (int i = 0; i < 10; i++) {
            float right = i < correct ? 0.9f : 0.1f;
            p[2 * i] = right;
            p[2 * i + 1] = 1 - right;
        }
        return Evaluation.of(p, labels, List.of("a", "b"));
    }

    /** Runs the stopper over epochs whose validation accuracies are given; epoch e's weights are all e. */
    static EarlyStopper epochs(Fixture f, EarlyStopping settings, int... correct) {
        var stopper = new EarlyStopper(f.learner, settings);
        Map<String, Tensor> live = f.net.namedParameters();
        TrainState s = f.learner.state();
        for (int e = 1; e <= correct.length && !s.stopped(); e++) {
            try (var scope = Scope.noGrad()) {
                for (Tensor t : live.values()) t.fill_(new org.bytedeco.pytorch.Scalar((double) e));
            }
            s.epoch = e;
            s.validation = accuracy(correct[e - 1]);
            stopper.on(Event.AFTER_VALIDATE, s);
        }
        live.values().forEach(Tensor::close);
        return stopper;
    }

    static float firstWeight(Fixture f) {
        Map<String, Tensor> live = f.net.namedParameters();
        float v = TensorMemory.toFloats(live.values().iterator().next())[0];
        live.values().forEach(Tensor::close);
        return v;
    }

    @Test
    void stopsWhenPatienceRunsOutAndRestoresTheBestWeights() throws Exception {
        try (var f = new Fixture(64, 1); var stopper = epochs(f, new EarlyStopping("accuracy", 2), 5, 7, 6, 7, 9, 9)) {
            assertThat(f.learner.state().stopped()).isTrue();
            assertThat(f.learner.state().epoch()).as("two epochs without beating epoch 2").isEqualTo(4);
            assertThat(stopper.bestEpoch()).isEqualTo(2);
            assertThat(stopper.stoppedAfter()).isEqualTo(4);
            assertThat(firstWeight(f)).isEqualTo(4f);
            stopper.restoreBest();
            assertThat(firstWeight(f)).as("the weights of epoch 2").isEqualTo(2f);
            assertThat(stopper.summary()).containsEntry("bestEpoch", 2).containsEntry("stoppedEarly", true).containsEntry("stoppedAfterEpoch", 4)
                    .containsEntry("bestValidationAccuracy", 0.7);
        }
    }

    @Test
    void keepsGoingWhileItImprovesAndLossIsLowerIsBetter() throws Exception {
        try (var f = new Fixture(64, 1); var stopper = epochs(f, new EarlyStopping("loss", 2), 5, 6, 5, 7, 8)) {
            assertThat(f.learner.state().stopped()).isFalse();
            assertThat(stopper.bestEpoch()).isEqualTo(5);
            assertThat(stopper.summary()).containsEntry("stoppedEarly", false);
        }
    }

    @Test
    void checkpointedStateRestoresTheStopAndTheBest() throws Exception {
        try (var f = new Fixture(64, 1); var stopper = epochs(f, new EarlyStopping("accuracy", 1), 5, 8, 7);
             var g = new Fixture(64, 1); var resumed = new EarlyStopper(g.learner, new EarlyStopping("accuracy", 1))) {
            resumed.restoreCheckpoint(stopper.checkpointTensors(), stopper.checkpointValues());
            assertThat(g.learner.state().stopped()).isTrue();
            assertThat(resumed.bestEpoch()).isEqualTo(2);
            resumed.restoreBest();
            assertThat(firstWeight(g)).isEqualTo(2f);
        }
    }
}
