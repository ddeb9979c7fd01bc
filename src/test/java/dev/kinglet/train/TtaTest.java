package dev.kinglet.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.kinglet.augment.Augmenter;
import dev.kinglet.dsl.AugmentOp;

class TtaTest {
    @Test
    void plainWeightOneIsThePlainPredictionAndViewsChangeIt() throws Exception {
        try (var f = new Fixture(64, 3)) {
            f.learner.fit(2);
            var test = f.data.test();
            Evaluation plain = f.learner.evaluate(test);
            var flip = new Augmenter(List.of(new AugmentOp.HorizontalFlip(1.0, null)), test.classes(), "augment.tta.ops");
            Evaluation onlyPlain = f.learner.evaluateWithTta(test, flip, 2, 1.0);
            assertThat(onlyPlain.accuracy()).isEqualTo(plain.accuracy());
            assertThat(onlyPlain.confusion()).isDeepEqualTo(plain.confusion());
            Evaluation onlyFlipped = f.learner.evaluateWithTta(test, flip, 2, 0.0);
            assertThat(onlyFlipped.confusion()).as("mirrored images give other predictions").isNotEqualTo(plain.confusion());
            Evaluation mixed = f.learner.evaluateWithTta(test, flip, 2, 0.25);
            assertThat(mixed.accuracy()).isBetween(0.5, 1.0);
            assertThat(mixed.loss()).isPositive();
        }
    }
}
