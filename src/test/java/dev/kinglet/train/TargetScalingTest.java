package dev.kinglet.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.kinglet.TestData;
import dev.kinglet.augment.Augmenter;
import dev.kinglet.data.Datasets;
import dev.kinglet.data.ImageSet;
import dev.kinglet.dsl.AugmentOp;
import dev.kinglet.dsl.CsvManifest;
import dev.kinglet.dsl.Data;
import dev.kinglet.dsl.LabelRule;
import dev.kinglet.natives.Device;
import dev.kinglet.natives.Image;
import dev.kinglet.natives.NativeRuntime;
import dev.kinglet.natives.Scope;
import dev.kinglet.natives.TensorMemory;

/**
 * Standardised regression targets: the transform and its inverse round-trip, the training
 * values come out with mean 0 and std 1, and a target a flip negates is scaled but not centred,
 * so negation commutes with the transform exactly.
 */
class TargetScalingTest {
    @BeforeAll
    static void start() {
        NativeRuntime.start(2, 0, Device.CPU);
    }

    @Test
    void standardisedTrainingTargetsHaveMeanZeroAndStdOneAndRestoreRoundTrips() {
        // three targets of very different scales, and a constant one
        int n = 500, t = 4;
        float[] y = new float[n * t];
        SplittableRandom rng = new SplittableRandom(3);
        for (int i = 0; i < n; i++) {
            y[i * t] = (float) (0.4 + 0.13 * rng.nextGaussian());
            y[i * t + 1] = (float) (-250 + 40 * rng.nextGaussian());
            y[i * t + 2] = (float) rng.nextDouble(-1, 3);
            y[i * t + 3] = 7.5f;
        }
        TargetScaling s = TargetScaling.fit(y, t, Set.of());
        float[] z = s.standardise(y);
        for (int j = 0; j < 3; j++) {
            double m = 0, v = 0;
            for (int i = 0; i < n; i++) m += z[i * t + j] / (double) n;
            for (int i = 0; i < n; i++) v += (z[i * t + j] - m) * (z[i * t + j] - m) / n;
            assertThat(m).as("mean of standardised target %d", j).isCloseTo(0, within(1e-5));
            assertThat(Math.sqrt(v)).as("std of standardised target %d", j).isCloseTo(1, within(1e-5));
        }
        assertThat(s.mean()[0]).isCloseTo(0.4f, within(0.02f));
        assertThat(s.std()[1]).isCloseTo(40f, within(4f));
        // a constant target is only centred: no division by zero
        assertThat(s.std()[3]).isEqualTo(1f);
        for (int i = 0; i < n; i++) assertThat(z[i * t + 3]).isZero();

        float[] back = s.restore(z);
        for (int i = 0; i < y.length; i++) {
            assertThat(back[i]).as("value %d", i).isCloseTo(y[i], within(1e-5f * Math.max(1, Math.abs(y[i]))));
        }
        // the tensor form the training step uses gives the same values
        try (var scope = Scope.step()) {
            float[] fromTensor = TensorMemory.toFloats(s.standardise(TensorMemory.fromFloats(y, n, t)));
            for (int i = 0; i < y.length; i++) assertThat(fromTensor[i]).isCloseTo(z[i], within(1e-5f));
        }
        // a model saved before standardisation reads as identity
        TargetScaling id = TargetScaling.identity(2);
        float[] v = {1.5f, -2f, 0.25f, 9f};
        assertThat(java.util.Arrays.equals(id.restore(v), v)).isTrue();
        assertThat(java.util.Arrays.equals(id.standardise(v), v)).isTrue();
    }

    @Test
    void aNegatedTargetIsScaledButNotCentredSoNegationCommutesWithTheTransform() throws Exception {
        Path manifest = TestData.root().resolve("test-data/regression-mini/manifest.csv");
        try (Datasets.Split split = Datasets.load(new Data(new CsvManifest(manifest.toString(), CsvManifest.Task.REGRESSION)), Path.of(""), 1)) {
            ImageSet train = split.train();
            var flip = new Augmenter(List.of(new AugmentOp.HorizontalFlip(0.5, new LabelRule(List.of("asymmetry"), null))), List.of(),
                    train.targetNames(), "augment.train");
            assertThat(flip.negatedTargets()).containsExactly(1);
            float[] y = train.targets();
            TargetScaling s = TargetScaling.fit(y, 2, flip.negatedTargets()), centred = TargetScaling.fit(y, 2, Set.of());
            double meanAsymmetry = 0, rms = 0;
            for (int i = 0; i < train.size(); i++) {
                meanAsymmetry += y[2 * i + 1] / (double) train.size();
                rms += (double) y[2 * i + 1] * y[2 * i + 1] / train.size();
            }
            assertThat(s.mean()[1]).isZero();
            assertThat(s.std()[1]).isCloseTo((float) Math.sqrt(rms), within(1e-5f));
            assertThat(s.mean()[0]).isEqualTo(centred.mean()[0]).isNotZero();
            // the training set's asymmetry does not average to 0: centring it would break the invariant
            assertThat(Math.abs(meanAsymmetry)).isGreaterThan(1e-3);

            int flipped = 0, broken = 0;
            for (int i = 0; i < train.size(); i++) {
                float[] truth = train.targets(i);
                float[] sample;
                try (var scope = Scope.image()) {
                    sample = flip.apply(Image.of(train.pixels(), train.row(i)), 0, truth, new SplittableRandom(i)).targets();
                }
                if (sample[1] == truth[1]) continue;
                flipped++;
                assertThat(sample[1]).isEqualTo(-truth[1]);
                // the flipped sample's training target is exactly the negated standardised target ...
                float[] z = s.standardise(sample), zTruth = s.standardise(truth);
                assertThat(z[1]).as("image %d", i).isEqualTo(-zTruth[1]);
                assertThat(z[0]).isEqualTo(zTruth[0]);
                // ... and a negated output maps back to the negated value
                assertThat(s.restore(new float[] {0, -zTruth[1]})[1]).isEqualTo(-s.restore(new float[] {0, zTruth[1]})[1]);
                if (centred.standardise(sample)[1] != -centred.standardise(truth)[1]) broken++;
            }
            assertThat(flipped).isBetween(train.size() / 4, 3 * train.size() / 4);
            assertThat(broken).as("with centring, negation would not commute").isEqualTo(flipped);
        }
    }
}
