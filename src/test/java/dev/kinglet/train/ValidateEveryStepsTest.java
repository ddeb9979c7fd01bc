package dev.kinglet.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import dev.kinglet.data.ImageSet;

class ValidateEveryStepsTest {
    @Test
    void validatesOnlyAfterEnoughStepsAndAlwaysAfterTheLastEpoch() throws Exception {
        try (var f = new Fixture(250, 3, c -> c.withValidateEverySteps(10)); ImageSet val = f.data.test().select(IntStream.range(0, 50).toArray())) {
            assertThat(f.learner.state().stepsPerEpoch()).isZero();
            List<Integer> validated = new ArrayList<>(), unvalidated = new ArrayList<>();
            f.learner.validateOn(val);
            f.learner.add((event, s) -> {
                if (event == Event.AFTER_VALIDATE) validated.add(s.epoch());
                if (event == Event.AFTER_EPOCH && s.validation() == null) unvalidated.add(s.epoch());
            });
            f.learner.fit(5);
            int spe = f.learner.state().stepsPerEpoch();
            assertThat(spe).as("1,000 images at batch 250").isEqualTo(4);
            // steps 4, 8, 12 (>= 10 since 0: validate), 16, 20 (the last epoch: validate)
            assertThat(validated).containsExactly(3, 5);
            assertThat(unvalidated).containsExactly(1, 2, 4);
            assertThat(f.learner.state().validations()).isEqualTo(2);
            assertThat(f.learner.state().validationSeconds()).isPositive();
        }
    }
}
