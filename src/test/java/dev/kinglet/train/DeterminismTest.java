package dev.kinglet.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class DeterminismTest {
    private static List<Double> losses(long seed) throws Exception {
        try (var f = new Fixture(64, seed)) {
            var losses = new Fixture.Losses();
            f.learner.add(losses).fit(2);
            return losses.values();
        }
    }

    @Test
    void sameSeedGivesIdenticalPerStepLosses() throws Exception {
        List<Double> a = losses(7), b = losses(7);
        assertThat(a).hasSize(32);
        assertThat(b).containsExactlyElementsOf(a);
    }

    @Test
    void anotherSeedGivesOtherLosses() throws Exception {
        assertThat(losses(8)).isNotEqualTo(losses(7));
    }
}
