package dev.kinglet.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kinglet.TestData;
import dev.kinglet.baseline.BackboneExtractor;
import dev.kinglet.baseline.Baselines;
import dev.kinglet.data.Datasets;
import dev.kinglet.data.ImageSet;
import dev.kinglet.dsl.BackboneFeatures;
import dev.kinglet.dsl.Baseline;
import dev.kinglet.dsl.IdxSource;
import dev.kinglet.dsl.LearningCurve;
import dev.kinglet.dsl.LinearHead;
import dev.kinglet.dsl.LogisticRegression;
import dev.kinglet.dsl.Mlp;
import dev.kinglet.dsl.Model;
import dev.kinglet.dsl.Recipe;
import dev.kinglet.dsl.ResNet;
import dev.kinglet.dsl.SmallCnn;
import dev.kinglet.dsl.TorchVisionWeights;
import dev.kinglet.dsl.WeightsFile;
import dev.kinglet.model.Network;
import dev.kinglet.natives.Device;
import dev.kinglet.natives.NativeRuntime;
import dev.kinglet.natives.Normalization;
import dev.kinglet.util.Json;
import tools.jackson.databind.JsonNode;

/**
 * Baselines on the features of a frozen ResNet-18 whose weights Kinglet wrote itself (random,
 * seeded: no download), on the Fashion-MNIST subset of test-data/ (1,000 training and 1,000 test
 * images, 28x28 grayscale).
 */
class BackboneBaselineTest {
    @TempDir static Path tmp;
    static Path weights;
    static Datasets.Split data;

    @BeforeAll
    static void weightsAndData() throws Exception {
        NativeRuntime.start(2, 0, Device.CPU);
        NativeRuntime.seed(11);
        Model model = new Model(new ResNet(18), null, new LinearHead(0.0));
        Path dir = tmp.resolve("resnet18");
        try (Network net = Network.build(model, 3, 64, 64, 1000)) {
            // ImageNet's statistics, as a model trained on it would carry them in its model.json
            ModelFiles.save(dir, net, new ModelFiles.Description(model, java.util.stream.IntStream.range(0, 1000).mapToObj(i -> "c" + i).toList(), 3, 64, 64, false,
                    new Normalization(new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f})));
        }
        weights = dir.resolve(ModelFiles.WEIGHTS);
        data = Datasets.load(IdxSource.fashionMnist(TestData.fashionMnist().toString()), Path.of(""));
    }

    @AfterAll
    static void close() {
        if (shared != null) shared.close();
        data.close();
    }

    /** One backbone for the tests that read the features of the whole split (encoding is the slow part). */
    static BackboneExtractor shared;
    static String sharedOutput;
    static float[][] trainFeatures, testFeatures;
    static long encodedAfterTrain, encodedAfterTest;
    static double trainSeconds;

    static synchronized BackboneExtractor shared() throws Exception {
        if (shared == null) {
            var out = new ByteArrayOutputStream();
            shared = FrozenBackbone.open(spec(), data.train(), Path.of(""), Device.CPU, new PrintStream(out, true), false);
            sharedOutput = out.toString();
            long t0 = System.nanoTime();
            trainFeatures = shared.extract(data.train());
            trainSeconds = (System.nanoTime() - t0) / 1e9;
            encodedAfterTrain = shared.encoded();
            testFeatures = shared.extract(data.test());
            encodedAfterTest = shared.encoded();
        }
        return shared;
    }

    static BackboneFeatures spec() {
        return new BackboneFeatures(new ResNet(18), new WeightsFile(weights.toString(), null, null));
    }

    @Test
    void featuresHaveTheBackbonesWidthAreDeterministicAndEachImageIsEncodedOnce() throws Exception {
        BackboneExtractor x = shared();
        float[][] train = trainFeatures, test = testFeatures, again = x.extract(data.train()), subset;
        try (ImageSet some = data.train().select(new int[] {999, 3, 3, 500})) {
            subset = x.extract(some);
        }
        assertThat(x.inputSize()).containsExactly(64, 64);
        assertThat(x.featureWidth()).isEqualTo(512);
        System.out.printf(Locale.ROOT, "backbone features: ResNet-18 at 64x64, %d images in %.1f s (%.0f img/s)%n", train.length, trainSeconds, train.length / trainSeconds);
        long afterTrain = encodedAfterTrain, afterAll = x.encoded();
        assertThat(encodedAfterTest).isEqualTo(2000);
        // the grayscale images meet the RGB weights by summing the first convolution, normalised with ImageNet's statistics averaged over channels
        assertThat(sharedOutput).contains("baseline features: resnet").contains("28x28 -> 64x64").contains("summed over its 3 input channels")
                .contains("mean [0.44").contains("std [0.22");
        assertThat(train.length).isEqualTo(1000);
        for (float[] f : train) assertThat(f.length).isEqualTo(512);
        assertThat(afterTrain).isEqualTo(1000);
        assertThat(afterAll).as("the test images are encoded once more, the training images not again").isEqualTo(2000);
        for (int i = 0; i < train.length; i++) assertThat(Arrays.equals(train[i], again[i])).isTrue();
        assertThat(Arrays.equals(subset[0], train[999])).isTrue();
        assertThat(Arrays.equals(subset[1], train[3]) && Arrays.equals(subset[2], train[3]) && Arrays.equals(subset[3], train[500])).isTrue();
        // features differ between images and are not all zero (ReLU then average pooling: non-negative)
        assertThat(Arrays.equals(train[0], train[1])).isFalse();
        double sum = 0;
        for (float v : train[0]) { assertThat(v).isGreaterThanOrEqualTo(0f); sum += v; }
        assertThat(sum).isPositive();

        // a fresh backbone from the same file gives the same features, in batches made up differently
        int[] picks = {7, 900, 64, 65, 3, 500, 999};
        try (BackboneExtractor y = FrozenBackbone.open(spec(), data.train(), Path.of(""), Device.CPU, new PrintStream(new ByteArrayOutputStream()), false);
             ImageSet some = data.test().select(picks)) {
            float[][] fresh = y.extract(some);
            // equal up to rounding: the convolution may sum in another order for another batch size
            for (int i = 0; i < picks.length; i++) {
                for (int j = 0; j < 512; j++) assertThat(Math.abs(fresh[i][j] - test[picks[i]][j])).as("test image %d, feature %d", picks[i], j)
                        .isLessThanOrEqualTo(1e-4f * (1 + Math.abs(test[picks[i]][j])));
            }
        }
    }

    @Test
    void logisticRegressionOnFeaturesOfAFixedRandomResNetIsWellAboveChance() throws Exception {
        var b = new Baseline(List.of(new LogisticRegression(null)), spec());
        Baselines.Result r = Baselines.run(b, data.train(), data.test(), 1, shared()).getFirst();
        System.out.printf(Locale.ROOT, "logistic regression on random ResNet-18 features: test accuracy %.3f (%.1f s)%n", r.accuracy(), r.seconds());
        assertThat(r.test().images()).isEqualTo(1000);
        // measured 0.791 (pixels: 0.773, BaselinesTest); chance is 0.10
        assertThat(r.accuracy()).isGreaterThan(0.7);
    }

    @Test
    void aRunWithBackboneFeaturesWritesBaselinesThatNameTheBackbone() throws Exception {
        Recipe r = TestData.fashionRecipe(1, 32, 3).withName("backbone-baselines")
                .withBaseline(new Baseline(List.of(new LogisticRegression(null)), spec()))
                .withLearningCurve(new LearningCurve(List.of(5, 10), null, 1, null));
        assertThat(Support.check(r).errors()).isEmpty();
        var bytes = new ByteArrayOutputStream();
        Runner.Result result = Runner.run(r, Runner.Options.defaults(new PrintStream(bytes, true)).withOutRoot(tmp.resolve("runs")).withDevice(Device.CPU).withThreads(2));
        String output = bytes.toString();
        assertThat(result.failed()).as(output).isEmpty();
        // one backbone for the baselines of both points
        assertThat(output.split("baseline features: ", -1)).as(output).hasSize(2);
        try (var files = Files.list(result.runDir().resolve(BaselineRuns.DIR))) {
            List<Path> list = files.sorted().toList();
            assertThat(list).hasSize(2);
            for (Path f : list) {
                JsonNode j = Json.PRETTY.readTree(f.toFile());
                assertThat(j.get("features").get("type").asString()).isEqualTo("backbone");
                assertThat(j.get("features").get("architecture").get("type").asString()).isEqualTo("resnet");
                assertThat(j.get("features").get("weights").get("path").asString()).isEqualTo(weights.toString());
                double accuracy = j.get("models").get(0).get("test").get("accuracy").asDouble();
                System.out.printf(Locale.ROOT, "run baseline %s: %s on backbone features, test accuracy %.3f%n", f.getFileName(),
                        j.get("models").get(0).get("name").asString(), accuracy);
                assertThat(accuracy).isGreaterThan(0.2);
            }
        }
    }

    @Test
    void backbonesThatCannotGiveFeaturesAreRefusedWithTheirPaths() {
        Recipe r = TestData.fashionRecipe(1, 32, 3);
        assertThat(Support.check(r.withBaseline(new Baseline(null, new BackboneFeatures(new Mlp(null, null), new WeightsFile("w.pth", null, null))))).errors())
                .singleElement().asString().startsWith("baseline.features.architecture: an mlp has no convolutional body");
        assertThat(Support.check(r.withBaseline(new Baseline(null, new BackboneFeatures(new SmallCnn(null, null, null, null), new TorchVisionWeights(null, null, null))))).errors())
                .singleElement().asString().startsWith("baseline.features.weights: TorchVision publishes no weights for");
        // a missing file fails the baselines (advisory), not the run, and says which file
        var bytes = new ByteArrayOutputStream();
        var missing = r.withName("missing-backbone").withLearningCurve(new LearningCurve(List.of(5), null, 1, null)).withBaseline(new Baseline(List.of(new LogisticRegression(null)),
                new BackboneFeatures(new ResNet(18), new WeightsFile(tmp.resolve("none.pth").toString(), null, null))));
        assertThat(Support.check(missing).errors()).isEmpty();
        try {
            Runner.Result result = Runner.run(missing, Runner.Options.defaults(new PrintStream(bytes, true)).withOutRoot(tmp.resolve("runs")).withDevice(Device.CPU).withThreads(2));
            assertThat(result.failed()).isEmpty();
        } catch (Exception e) {
            throw new AssertionError(bytes.toString(), e);
        }
        assertThat(bytes.toString()).contains("baselines failed: baseline.features.weights.path: " + tmp.resolve("none.pth") + " does not exist");
    }
}
