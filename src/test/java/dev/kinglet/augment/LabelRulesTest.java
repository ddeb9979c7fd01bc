package dev.kinglet.augment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.kinglet.TestData;
import dev.kinglet.data.Datasets;
import dev.kinglet.data.ImageSet;
import dev.kinglet.data.Loader;
import dev.kinglet.dsl.AugmentOp;
import dev.kinglet.dsl.CsvManifest;
import dev.kinglet.dsl.IdxSource;
import dev.kinglet.dsl.LabelRule;
import dev.kinglet.dsl.MixUp;
import dev.kinglet.dsl.RecipeException;
import dev.kinglet.natives.Device;
import dev.kinglet.natives.NativeRuntime;
import dev.kinglet.natives.Normalization;
import dev.kinglet.natives.Scope;
import dev.kinglet.natives.TensorMemory;

/**
 * Label-aware ops: a flip negates the declared regression targets and swaps the declared
 * classes exactly for the samples it flips, whatever the number of loader threads; a
 * geometric op with no rule on a regression task is refused, saying why.
 */
class LabelRulesTest {
    static final List<String> TARGETS = List.of("brightness", "asymmetry");
    static final Normalization IDENTITY = new Normalization(new float[] {0}, new float[] {1});

    @BeforeAll
    static void start() {
        NativeRuntime.start(2, 0, Device.CPU);
    }

    /** Images ([n*28*28], 0..1 pixels), labels and targets ([n*2] or null) of the batches of one epoch. */
    record Epoch(float[] images, long[] labels, float[] targets) {}

    static Epoch epoch(ImageSet set, Augmenter aug, int workers, int[] order, long seed) {
        int t = set.targetNames().size();
        float[] images = new float[order.length * 28 * 28], targets = t == 0 ? null : new float[order.length * t];
        long[] labels = new long[order.length];
        int at = 0;
        try (var loader = new Loader(1, t, aug, IDENTITY, 32, 28, 28, workers, 2)) {
            for (var b : loader.epoch(set, order, seed, false)) {
                try (var scope = Scope.step()) {
                    float[] x = TensorMemory.toFloats(b.images());
                    System.arraycopy(x, 0, images, at * 784, x.length);
                    long[] y = TensorMemory.toLongs(b.labels());
                    System.arraycopy(y, 0, labels, at, y.length);
                    if (t > 0) System.arraycopy(TensorMemory.toFloats(b.targets()), 0, targets, at * t, b.size() * t);
                    at += b.size();
                }
            }
        }
        return new Epoch(images, labels, targets);
    }

    /** Whether sample {@code i} of {@code aug} is the mirror image of {@code plain}'s (and differs from it). */
    static boolean flipped(Epoch aug, Epoch plain, int i) {
        float[] a = Arrays.copyOfRange(aug.images(), i * 784, (i + 1) * 784), p = Arrays.copyOfRange(plain.images(), i * 784, (i + 1) * 784);
        float[] mirror = new float[784];
        for (int y = 0; y < 28; y++) for (int x = 0; x < 28; x++) mirror[y * 28 + x] = p[y * 28 + 27 - x];
        if (Arrays.equals(a, p)) return false;
        assertThat(Arrays.equals(a, mirror)).as("sample %d is neither the image nor its mirror", i).isTrue();
        return true;
    }

    static int[] order(int n, int size) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = (i * 37) % size;
        return order;
    }

    @Test
    void aHorizontalFlipNegatesTheDeclaredTargetExactlyForTheFlippedSamplesWithOneOrTwoThreads() throws Exception {
        Path manifest = TestData.root().resolve("test-data/regression-mini/manifest.csv");
        try (var split = Datasets.load(new dev.kinglet.dsl.Data(new CsvManifest(manifest.toString(), CsvManifest.Task.REGRESSION)), Path.of(""), 1)) {
            ImageSet train = split.train();
            var aug = new Augmenter(List.of(new AugmentOp.HorizontalFlip(0.5, new LabelRule(List.of("asymmetry"), null))), List.of(), TARGETS, "augment.train");
            int[] order = order(150, train.size());
            Epoch plain = epoch(train, Augmenter.NONE, 1, order, 9), one = epoch(train, aug, 1, order, 9), two = epoch(train, aug, 2, order, 9);
            assertThat(Arrays.equals(one.images(), two.images())).isTrue();
            assertThat(Arrays.equals(one.targets(), two.targets())).isTrue();
            int flips = 0;
            for (int i = 0; i < order.length; i++) {
                float[] truth = train.targets(order[i]);
                assertThat(plain.targets()[2 * i]).isEqualTo(truth[0]);
                assertThat(plain.targets()[2 * i + 1]).isEqualTo(truth[1]);
                boolean f = flipped(one, plain, i);
                if (f) flips++;
                assertThat(one.targets()[2 * i]).as("brightness of sample %d", i).isEqualTo(truth[0]);
                assertThat(one.targets()[2 * i + 1]).as("asymmetry of sample %d (flipped: %s)", i, f).isEqualTo(f ? -truth[1] : truth[1]);
            }
            assertThat(flips).isBetween(40, 110);
            // the set's own targets are untouched by augmentation
            assertThat(train.targets(order[0])).containsExactly(plain.targets()[0], plain.targets()[1]);
        }
    }

    @Test
    void aFlipSwapsTheDeclaredClassesExactlyForTheFlippedSamples() throws Exception {
        try (var split = Datasets.load(IdxSource.fashionMnist(TestData.fashionMnist().toString()), Path.of(""))) {
            ImageSet train = split.train();
            int sandal = train.classes().indexOf("sandal"), sneaker = train.classes().indexOf("sneaker");
            var aug = new Augmenter(List.of(new AugmentOp.HorizontalFlip(0.5, new LabelRule(null, Map.of("sandal", "sneaker")))), train.classes(), "augment.train");
            int[] order = order(300, train.size());
            Epoch plain = epoch(train, Augmenter.NONE, 1, order, 4), one = epoch(train, aug, 1, order, 4), two = epoch(train, aug, 2, order, 4);
            assertThat(Arrays.equals(one.images(), two.images())).isTrue();
            assertThat(Arrays.equals(one.labels(), two.labels())).isTrue();
            int swapped = 0;
            for (int i = 0; i < order.length; i++) {
                int label = train.label(order[i]);
                int expected = flipped(one, plain, i) ? (label == sandal ? sneaker : label == sneaker ? sandal : label) : label;
                if (expected != label) swapped++;
                assertThat(one.labels()[i]).as("label of sample %d", i).isEqualTo(expected);
            }
            assertThat(swapped).isPositive();
            // a flip without a rule keeps the class on a classification task
            var plainFlip = new Augmenter(List.of(new AugmentOp.HorizontalFlip(0.5, null)), train.classes(), "augment.train");
            assertThat(epoch(train, plainFlip, 2, order, 4).labels()).containsExactly(plain.labels());
        }
    }

    @Test
    void geometricOpsOnARegressionTaskNeedARuleThatFitsThem() {
        var rotate = new AugmentOp.Rotate(10.0, null, null, null);
        assertThatThrownBy(() -> new Augmenter(List.of(new AugmentOp.Resize(List.of(28)), new AugmentOp.VerticalFlip(null, null)), List.of(), TARGETS, "augment.train"))
                .isInstanceOf(RecipeException.class)
                .hasMessage("augment.train[1].labels: verticalFlip may change the regression targets [brightness, asymmetry] (a flip negates e.g. a steering angle"
                        + " or a left-minus-right score) and the recipe does not say how: name the targets whose sign flips, e.g. labels: {negate: [brightness]},"
                        + " or declare labels: {negate: []} if the targets do not change under it");
        assertThatThrownBy(() -> new Augmenter(List.of(rotate), List.of(), TARGETS, "augment.train"))
                .hasMessageStartingWith("augment.train[0].labels: rotate may change the regression targets").hasMessageContaining("{negate: []}");
        assertThatThrownBy(() -> new Augmenter(List.of(new AugmentOp.Rotate(10.0, null, new LabelRule(List.of("asymmetry"), null), null)), List.of(), TARGETS, "augment.train"))
                .hasMessageStartingWith("augment.train[0].labels.negate: rotate turns the image by a random amount, which negates no target");
        assertThatThrownBy(() -> new Augmenter(List.of(new AugmentOp.HorizontalFlip(null, new LabelRule(List.of("angle"), null))), List.of(), TARGETS, "augment.train"))
                .hasMessage("augment.train[0].labels.negate: 'angle' is not a target; the targets are [brightness, asymmetry]");
        assertThatThrownBy(() -> new Augmenter(List.of(new AugmentOp.HorizontalFlip(null, new LabelRule(null, Map.of("a", "b")))), List.of(), TARGETS, "augment.train"))
                .hasMessageStartingWith("augment.train[0].labels.swap: swaps classes, but this is a regression task");
        assertThatThrownBy(() -> new Augmenter(List.of(new AugmentOp.TrivialAugmentWide()), List.of(), TARGETS, "augment.train"))
                .hasMessageStartingWith("augment.train[0]: trivialAugmentWide rotates, shears and translates at random with no label rule");
        assertThatThrownBy(() -> new Augmenter(List.of(new MixUp(null, null)), List.of(), TARGETS, "augment.train"))
                .hasMessageStartingWith("augment.train[0]: mixUp");
        // declared rules, and ops that do not move pixels, are accepted
        new Augmenter(List.of(new AugmentOp.Rotate(10.0, null, new LabelRule(List.of(), null), null), new AugmentOp.ColorJitter(null, null, null, null),
                new AugmentOp.HorizontalFlip(null, new LabelRule(List.of(), null))), List.of(), TARGETS, "augment.train");
        // before the data is read, the same refusals come without target names, one per op
        assertThat(RegressionRules.problems(List.of(new AugmentOp.HorizontalFlip(null, null), new AugmentOp.Pad(2, null), rotate), "augment.train"))
                .satisfiesExactly(m -> assertThat(m).startsWith("augment.train[0].labels: horizontalFlip may change the regression targets (a flip"),
                        m -> assertThat(m).startsWith("augment.train[2].labels: rotate"));
    }
}
