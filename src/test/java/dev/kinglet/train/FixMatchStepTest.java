package dev.kinglet.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.kinglet.augment.Augmenter;
import dev.kinglet.dsl.AugmentOp;
import dev.kinglet.dsl.FixMatch;

/** FixMatch's step on the Fashion-MNIST subset: the passes it splits into, its determinism, the EMA warm-up. */
class FixMatchStepTest {
    @Test
    void passesAreEvenAndNeverHoldOneImage() {
        assertThat(Learner.parts(224, 32)).hasSize(7).allMatch(p -> p[1] == 32);
        List<int[]> p = Learner.parts(33, 32);
        assertThat(p).hasSize(2);
        assertThat(p.get(0)).containsExactly(0, 17);
        assertThat(p.get(1)).containsExactly(17, 16);
        assertThat(Learner.parts(5, 2)).extracting(x -> x[1]).containsExactly(3, 2);
        for (int chunk = 2; chunk <= 40; chunk++) {
            for (int n = 2; n < 300; n++) {
                int sum = 0;
                for (int[] q : Learner.parts(n, chunk)) {
                    assertThat(q[0]).isEqualTo(sum);
                    assertThat(q[1]).as("n %d, chunk %d", n, chunk).isBetween(2, chunk + 1);
                    sum += q[1];
                }
                assertThat(sum).isEqualTo(n);
            }
        }
    }

    private static List<Double> losses(long seed, int[] counts) throws Exception {
        try (var f = new Fixture(32, seed)) {
            var classes = f.data.train().classes();
            var weak = new Augmenter(List.of(new AugmentOp.HorizontalFlip(0.5, null)), classes, "augment.train");
            var ops = new ArrayList<AugmentOp>(List.of(new AugmentOp.HorizontalFlip(0.5, null)));
            ops.addAll(FixMatch.defaults().strong());
            var strong = new Augmenter(ops, classes, "semiSupervised.strong");
            f.learner.unlabelled(new UnlabelledStream(f.data.test(), true, 64, weak, strong, f.data.train().statistics(), 28, 28, 0.3, 1.0, seed));
            var losses = new Fixture.Losses();
            f.learner.add(losses).fit(1);
            var total = f.learner.unlabelled().total();
            counts[0] = (int) total.images();
            counts[1] = (int) total.pseudoLabels();
            return losses.values();
        }
    }

    @Test
    void aStepTrainsOnLabelledAndUnlabelledImagesTheSameWayForTheSameSeed() throws Exception {
        int[] a = new int[2], b = new int[2];
        List<Double> first = losses(4, a), second = losses(4, b);
        assertThat(first).hasSize(32).containsExactlyElementsOf(second);
        assertThat(a).containsExactly(b);
        assertThat(a[0]).isEqualTo(32 * 64);
        assertThat(a[1]).as("a threshold of 0.3 passes some predictions of a training network").isPositive();
    }

    @Test
    void flexMatchThresholdsFollowWhatEachClassHasLearnedAndSurviveACheckpoint() throws Exception {
        try (var f = new Fixture(32, 2)) {
            var classes = f.data.train().classes();
            var none = new Augmenter(List.of(), classes, "augment.train");
            var pool = f.data.test();
            int n = pool.size();
            try (var stream = new UnlabelledStream(pool, true, 64, none, none, f.data.train().statistics(), 28, 28, 0.9, 1.0, 2, 10);
                 var fixed = new UnlabelledStream(pool, true, 64, none, none, f.data.train().statistics(), 28, 28, 0.9, 1.0, 2)) {
                assertThat(fixed.flexThresholds()).as("FixMatch: one threshold").isNull();
                assertThat(stream.flexThresholds()).as("nothing learned yet: every threshold warms up from 0").hasSize(10).containsOnly(0.0);
                int half = n / 2, quarter = n / 4;
                for (int i = 0; i < half; i++) stream.learn(i, 0);
                for (int i = half; i < half + quarter; i++) stream.learn(i, 1);
                double[] t = stream.flexThresholds();
                // sigma_0 = n/2 is the most (the unlearned are n - 3n/4): beta_0 = 1, beta_1 = 1/2 -> 0.9 * 0.5 / 1.5
                assertThat(t[0]).isEqualTo(0.9);
                assertThat(t[1]).isCloseTo(0.3, org.assertj.core.data.Offset.offset(1e-3));
                assertThat(t[2]).isZero();
                stream.learn(0, 2); // an image predicted as another class moves there
                assertThat(stream.flexThresholds()[2]).isGreaterThan(0);

                var saved = stream.checkpointTensors();
                var values = stream.checkpointValues();
                try (var resumed = new UnlabelledStream(pool, true, 64, none, none, f.data.train().statistics(), 28, 28, 0.9, 1.0, 2, 10)) {
                    resumed.restoreCheckpoint(saved, values);
                    assertThat(resumed.flexThresholds()).containsExactly(stream.flexThresholds());
                }
            }
        }
    }

    @Test
    void flexMatchAtTheStartTakesEveryPseudoLabelWhereFixMatchAtThresholdOneTakesNone() throws Exception {
        for (boolean flex : new boolean[] {false, true}) {
            try (var f = new Fixture(32, 3)) {
                var classes = f.data.train().classes();
                var weak = new Augmenter(List.of(new AugmentOp.HorizontalFlip(0.5, null)), classes, "augment.train");
                // threshold 1: no prediction of a young network reaches it, so FlexMatch's memory stays empty and its thresholds at 0
                f.learner.unlabelled(new UnlabelledStream(f.data.test(), true, 64, weak, weak, f.data.train().statistics(), 28, 28, 1.0, 1.0, 3,
                        flex ? classes.size() : 0));
                f.learner.fit(1);
                var total = f.learner.unlabelled().total();
                assertThat(total.images()).isEqualTo(32 * 64);
                assertThat(total.pseudoLabels()).as(flex ? "FlexMatch, nothing learned" : "FixMatch at threshold 1").isEqualTo(flex ? 32 * 64 : 0);
            }
        }
    }

    @Test
    void theEmaWarmsUpAsTensorFlowsMovingAverage() throws Exception {
        try (var f = new Fixture(32, 1); var ema = new Ema(f.net, 0.999, true); var plain = new Ema(f.net, 0.999)) {
            assertThat(ema.decayAt(1)).isEqualTo(2.0 / 11);
            assertThat(ema.decayAt(100)).isEqualTo(101.0 / 110);
            assertThat(ema.decayAt(100_000)).isEqualTo(0.999);
            assertThat(plain.decayAt(1)).isEqualTo(0.999);
        }
    }
}
