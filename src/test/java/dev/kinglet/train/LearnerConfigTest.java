package dev.kinglet.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.kinglet.augment.Augmenter;
import dev.kinglet.augment.BatchMix;
import dev.kinglet.dsl.Adam;
import dev.kinglet.dsl.MixUp;

/** A learner's configuration is checked once, when it is made. */
class LearnerConfigTest {
    @Test
    void defaultsAndRefusals() {
        LearnerConfig plain = LearnerConfig.of(new Adam(null, null), 32, 7);
        assertThat(plain.trainAugmenter()).isSameAs(Augmenter.NONE);
        assertThat(plain.evalAugmenter()).isSameAs(Augmenter.NONE);
        assertThat(plain.objective()).isNull();
        assertThat(plain.withClipGradNorm(1.0).withValidateEverySteps(5).clipGradNorm()).isEqualTo(1.0);
        assertThatThrownBy(() -> LearnerConfig.of(null, 32, 7)).hasMessageContaining("optimizer");
        assertThatThrownBy(() -> LearnerConfig.of(new Adam(null, null), 0, 7)).hasMessageContaining("batch size must be >= 1");
        assertThatThrownBy(() -> plain.withClipGradNorm(0.0)).hasMessageContaining("clipGradNorm must be a finite number > 0");
        assertThatThrownBy(() -> plain.withClipGradNorm(Double.NaN)).hasMessageContaining("clipGradNorm");
        assertThatThrownBy(() -> plain.withValidateEverySteps(0)).hasMessageContaining("validateEverySteps must be >= 1");
        BatchMix mix = BatchMix.of(List.of(new MixUp(0.4, null)));
        assertThat(mix).isNotNull();
        assertThatThrownBy(() -> plain.withObjective(new Objective.Reconstruction(null)).withBatchMix(mix))
                .hasMessageContaining("reconstruction objective trains without MixUp");
    }
}
