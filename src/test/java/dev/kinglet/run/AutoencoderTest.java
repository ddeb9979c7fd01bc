package dev.kinglet.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kinglet.TestData;
import dev.kinglet.data.Datasets;
import dev.kinglet.dsl.Architecture;
import dev.kinglet.dsl.Autoencoder;
import dev.kinglet.dsl.LearningCurve;
import dev.kinglet.dsl.LinearHead;
import dev.kinglet.dsl.MobileNetV2;
import dev.kinglet.dsl.Model;
import dev.kinglet.dsl.Recipe;
import dev.kinglet.dsl.ResNet;
import dev.kinglet.dsl.SmallCnn;
import dev.kinglet.dsl.UnlabelledFolder;
import dev.kinglet.dsl.Variant;
import dev.kinglet.dsl.WeightsFile;
import dev.kinglet.dsl.WideResNet;
import dev.kinglet.model.AutoencoderNet;
import dev.kinglet.model.Network;
import dev.kinglet.natives.Device;
import dev.kinglet.natives.Image;
import dev.kinglet.natives.NativeRuntime;
import dev.kinglet.natives.Scope;
import dev.kinglet.natives.StateDict;
import dev.kinglet.natives.TensorMemory;
import dev.kinglet.train.Callback;
import dev.kinglet.train.Event;
import dev.kinglet.train.TrainState;
import dev.kinglet.util.Json;
import tools.jackson.databind.JsonNode;

/** Autoencoder pre-training on the Fashion-MNIST subset: the encoder is the classifier's body, it learns, it is reused. */
class AutoencoderTest {
    @TempDir static Path tmp;
    static Datasets.Split split;
    static Recipe recipe;

    @BeforeAll
    static void load() throws Exception {
        NativeRuntime.start(2, 1, Device.CPU);
        recipe = TestData.fashionRecipe(1, 64, 1).withPretrain(new Autoencoder(null, 3, 0.1, 2e-3, 32));
        split = Datasets.load(recipe.data(), Path.of(""), recipe.seed());
    }

    @AfterAll
    static void close() {
        split.close();
    }

    static Map<String, long[]> shapes(Map<String, Tensor> state) {
        Map<String, long[]> out = new LinkedHashMap<>();
        state.forEach((k, t) -> {
            out.put(k, t.sizes().vec().get());
            t.close();
        });
        return out;
    }

    static void assertSameShapes(Map<String, long[]> a, Map<String, long[]> b) {
        assertThat(a.keySet()).containsExactlyElementsOf(b.keySet());
        a.forEach((k, v) -> assertThat(v).as(k).containsExactly(b.get(k)));
    }

    @Test
    void theEncoderIsTheClassifierBodyAndTheDecoderReachesTheInputSize() {
        record Case(Architecture a, int channels, int size, String firstKey) {}
        for (Case c : List.of(new Case(new SmallCnn(null, null, null, null), 1, 28, "conv1.weight"),
                new Case(new ResNet(18), 1, 28, "conv1.weight"), new Case(new ResNet(18), 3, 40, "conv1.weight"),
                new Case(new WideResNet(10, 1, null, null), 3, 30, "conv1.weight"))) {
            Model m = new Model(c.a(), null, new LinearHead(0.0));
            try (Network pretrained = Network.build(m, c.channels(), c.size(), c.size(), 10);
                 Network classifier = Network.build(m, c.channels(), c.size(), c.size(), 4);
                 AutoencoderNet ae = new AutoencoderNet(pretrained, c.channels(), c.size(), c.size());
                 var scope = Scope.noGrad()) {
                Map<String, long[]> encoder = shapes(ae.encoderState()), body = shapes(AutoencoderNet.bodyState(classifier));
                assertSameShapes(encoder, body);
                assertThat(encoder).containsKey(c.firstKey()).doesNotContainKeys("fc.weight", "fc2.weight");
                ae.setTraining(false);
                Tensor x = TensorMemory.fromFloats(new float[2 * c.channels() * c.size() * c.size()], 2, c.channels(), c.size(), c.size());
                assertThat(ae.reconstruct(x).sizes().vec().get()).as(c.toString()).containsExactly(2, c.channels(), c.size(), c.size());
            }
        }
        try (Network small = Network.build(new Model(new SmallCnn(null, null, null, null), null, null), 1, 28, 28, 10)) {
            assertThat(shapes(AutoencoderNet.bodyState(small)).keySet()).containsExactly("conv1.weight", "conv1.bias", "bn1.weight", "bn1.bias",
                    "conv2.weight", "conv2.bias", "bn2.weight", "bn2.bias", "fc1.weight", "fc1.bias",
                    "bn1.running_mean", "bn1.running_var", "bn1.num_batches_tracked", "bn2.running_mean", "bn2.running_var", "bn2.num_batches_tracked");
        }
    }

    @Test
    void pretrainingLowersTheReconstructionLossWritesItsFilesAndIsReused() throws Exception {
        Path dir = tmp.resolve("ae");
        var bytes = new ByteArrayOutputStream();
        var out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        Pretraining.Encoder first = Pretraining.ensure(recipe, split, dir, Path.of(""), Device.CPU, out);
        assertThat(first.reused()).isFalse();
        List<JsonNode> lines = Files.readAllLines(dir.resolve(Pretraining.METRICS)).stream().map(Json.LINE::readTree).toList();
        assertThat(lines).hasSize(4);
        double before = lines.get(0).get("reconstructionLoss").asDouble(), after = lines.get(3).get("reconstructionLoss").asDouble();
        assertThat(after).as(bytes.toString()).isLessThan(0.5 * before);
        assertThat(lines.get(3).get("trainLoss").asDouble()).isLessThan(lines.get(1).get("trainLoss").asDouble());
        try (var scope = Scope.image()) {
            Image preview = Image.read(dir.resolve(Pretraining.PREVIEW));
            assertThat(preview.height()).isEqualTo(2 * (56 + 2) + 2); // originals above reconstructions, 28 px enlarged twice
            assertThat(preview.width()).isEqualTo(10 * (56 + 2) + 2);
        }
        JsonNode description = Json.PRETTY.readTree(dir.resolve(Pretraining.DESCRIPTION).toFile());
        assertThat(description.get("images").asInt()).isEqualTo(split.train().size());
        long written = Files.getLastModifiedTime(first.file()).toMillis();

        Pretraining.Encoder again = Pretraining.ensure(recipe, split, dir, Path.of(""), Device.CPU, out);
        assertThat(again.reused()).isTrue();
        assertThat(again.normalization()).isEqualTo(first.normalization());
        assertThat(Files.getLastModifiedTime(again.file()).toMillis()).isEqualTo(written);
        assertThat(bytes.toString()).containsOnlyOnce("pretrain: epoch 3/3").contains("reused");

        Recipe otherNoise = recipe.withPretrain(new Autoencoder(null, 1, 0.0, 2e-3, 32));
        assertThat(Pretraining.ensure(otherNoise, split, dir, Path.of(""), Device.CPU, out).reused()).isFalse();
        assertThat(Files.readAllLines(dir.resolve(Pretraining.METRICS))).hasSize(2);
    }

    @Test
    void anInterruptedPreTrainingResumesFromItsCheckpointToTheSameEncoder() throws Exception {
        Recipe r = recipe.withPretrain(new Autoencoder(null, 3, 0.1, 2e-3, 32));
        Path whole = tmp.resolve("ae-whole"), cut = tmp.resolve("ae-cut");
        Pretraining.ensure(r, split, whole, Path.of(""), Device.CPU, System.out);
        class Kill extends RuntimeException {}
        Callback killAfterEpoch2 = new Callback() {
            @Override
            public int order() {
                return 30; // after the checkpoint of the epoch
            }

            @Override
            public void on(Event e, TrainState s) {
                if (e == Event.AFTER_EPOCH && s.epoch() == 2) throw new Kill();
            }
        };
        var out = new ByteArrayOutputStream();
        assertThatThrownBy(() -> Pretraining.ensure(r, split, cut, Path.of(""), Device.CPU, new PrintStream(out, true), false, List.of(killAfterEpoch2)))
                .isInstanceOf(Kill.class);
        assertThat(cut.resolve(Checkpoints.INDEX)).isRegularFile();
        assertThat(cut.resolve(Pretraining.ENCODER)).doesNotExist();
        Pretraining.Encoder resumed = Pretraining.ensure(r, split, cut, Path.of(""), Device.CPU, new PrintStream(out, true));
        assertThat(out.toString()).contains("pretrain: resuming after epoch 2").containsOnlyOnce("pretrain: epoch 3/3");
        assertThat(resumed.reused()).isFalse();
        assertThat(cut.resolve(Checkpoints.INDEX)).doesNotExist();
        assertThat(cut.resolve(Pretraining.TRAINING)).doesNotExist();
        try (StateDict a = StateDict.read(whole.resolve(Pretraining.ENCODER)); StateDict b = StateDict.read(cut.resolve(Pretraining.ENCODER))) {
            assertThat(b.keys()).containsExactlyElementsOf(a.keys());
            for (String key : a.keys()) {
                assertThat(Arrays.equals(TensorMemory.toFloats(b.tensor(key).to(org.bytedeco.pytorch.global.torch.ScalarType.Float)),
                        TensorMemory.toFloats(a.tensor(key).to(org.bytedeco.pytorch.global.torch.ScalarType.Float)))).as(key).isTrue();
            }
        }
        List<String> wholeLines = Files.readAllLines(whole.resolve(Pretraining.METRICS)), cutLines = Files.readAllLines(cut.resolve(Pretraining.METRICS));
        assertThat(cutLines).hasSize(4);
        for (int i = 0; i < 4; i++) {
            assertThat(Json.LINE.readTree(cutLines.get(i)).get("reconstructionLoss").asDouble()).as("epoch " + i)
                    .isEqualTo(Json.LINE.readTree(wholeLines.get(i)).get("reconstructionLoss").asDouble());
        }
        // a checkpoint of another pre-training (other digest) is never resumed
        Files.delete(cut.resolve(Pretraining.DESCRIPTION));
        assertThatThrownBy(() -> Pretraining.ensure(r, split, cut, Path.of(""), Device.CPU, new PrintStream(out, true), false, List.of(killAfterEpoch2)))
                .isInstanceOf(Kill.class);
        Files.writeString(cut.resolve(Pretraining.TRAINING), "{\"digest\": \"another\"}");
        var fresh = new ByteArrayOutputStream();
        Pretraining.ensure(r, split, cut, Path.of(""), Device.CPU, new PrintStream(fresh, true));
        assertThat(fresh.toString()).doesNotContain("resuming").contains("pretrain: epoch 3/3");
    }

    @Test
    void initialiseCopiesTheBodyExactlyAndLeavesTheHead() throws Exception {
        Recipe r = recipe.withPretrain(new Autoencoder(null, 1, 0.1, 2e-3, 64));
        Pretraining.Encoder enc = Pretraining.ensure(r, split, tmp.resolve("init"), Path.of(""), Device.CPU, System.out);
        NativeRuntime.seed(99);
        try (Network net = Network.build(r.model(), 1, 28, 28, 10); StateDict sd = StateDict.read(enc.file())) {
            float[] headBefore = TensorMemory.toFloats(net.state().get("fc2.weight"));
            assertThat(Arrays.equals(TensorMemory.toFloats(net.state().get("conv1.weight")), TensorMemory.toFloats(sd.tensor("conv1.weight")))).isFalse();
            assertThat(Pretraining.initialise(net, enc.file())).contains("body tensors loaded", "fc2.weight");
            Map<String, Tensor> state = net.state();
            for (String key : sd.keys()) {
                assertThat(Arrays.equals(TensorMemory.toFloats(state.get(key).to(org.bytedeco.pytorch.global.torch.ScalarType.Float)),
                        TensorMemory.toFloats(sd.tensor(key).to(org.bytedeco.pytorch.global.torch.ScalarType.Float)))).as(key).isTrue();
            }
            assertThat(sd.keys()).doesNotContain("fc2.weight", "fc2.bias");
            assertThat(Arrays.equals(TensorMemory.toFloats(state.get("fc2.weight")), headBefore)).isTrue();
            state.values().forEach(Tensor::close);
        }
        try (Network resnet = Network.build(new Model(new ResNet(18), null, null), 1, 28, 28, 10)) {
            assertThatThrownBy(() -> Pretraining.initialise(resnet, enc.file())).hasMessageContaining("does not fit the model's body");
        }
    }

    @Test
    void anUnlabelledFolderIsReadAndConvertedToTheLabelledShape() throws Exception {
        Recipe r = recipe.withPretrain(new Autoencoder(new UnlabelledFolder(TestData.root().resolve("test-data/folder-mini").toString()), 1, 0.1, 1e-3, 8));
        try (UnlabelledData.Images images = UnlabelledData.forPretraining(r, split, Path.of(""))) {
            assertThat(images.set().size()).isEqualTo(12);
            assertThat(images.set().pixels().channels()).isEqualTo(1);
            assertThat(images.set().pixels().height()).isEqualTo(28);
            assertThat(images.what()).contains("12 images under");
        }
        var bytes = new ByteArrayOutputStream();
        Pretraining.Encoder enc = Pretraining.ensure(r, split, tmp.resolve("folder"), Path.of(""), Device.CPU, new PrintStream(bytes, true));
        assertThat(Files.isRegularFile(enc.file())).isTrue();
        assertThat(bytes.toString()).contains("12 images under");
        Recipe missing = recipe.withPretrain(new Autoencoder(new UnlabelledFolder(tmp.resolve("nowhere").toString()), 1, 0.1, 1e-3, 8));
        assertThatThrownBy(() -> UnlabelledData.forPretraining(missing, split, Path.of(""))).hasMessageContaining("pretrain.data.dir");
    }

    @Test
    void aRunPretrainsOnceLoadsTheEncoderPerJobAndReusesItOnResume() throws Exception {
        Recipe r = recipe.withName("ae-run").withPretrain(new Autoencoder(null, 1, 0.1, 2e-3, 64))
                .withLearningCurve(new LearningCurve(List.of(10), null, 2, null))
                .withVariants(Variant.of("no-pretrain", "pretrain", null), Variant.of("lower-lr", "train.optimizer.lr", 1e-4));
        var bytes = new ByteArrayOutputStream();
        var options = Runner.Options.defaults(new PrintStream(bytes, true)).withOutRoot(tmp.resolve("runs")).withDevice(Device.CPU).withThreads(2);
        Runner.Result result = Runner.run(r, options);
        String log = bytes.toString();
        assertThat(result.failed()).as(log).isEmpty();
        assertThat(result.jobs()).hasSize(6);
        assertThat(Files.isRegularFile(result.runDir().resolve("pretrain").resolve(Pretraining.ENCODER))).isTrue();
        assertThat(result.runDir().resolve("pretrain-lower-lr")).doesNotExist();
        assertThat(log).containsOnlyOnce("pretrain: epoch 1/1").contains("pretrain: variant lower-lr shares the encoder of base")
                .contains("job base.perClass10.f0.s0.m0: encoder ").contains("job lower-lr.perClass10.f0.s1.m0: encoder ");
        assertThat(log.lines().filter(l -> l.startsWith("job no-pretrain") && l.contains("encoder"))).isEmpty();

        var again = new ByteArrayOutputStream();
        Runner.resume(result.runDir(), Runner.Options.defaults(new PrintStream(again, true)).withOutRoot(tmp.resolve("runs"))
                .withDevice(Device.CPU).withThreads(2));
        assertThat(again.toString()).contains("reused").doesNotContain("pretrain: epoch 1/1");
    }

    @Test
    void aPreTrainingThatFailsFailsItsVariantAloneAndTheRunFinishes() throws Exception {
        Path bad = Files.createDirectories(tmp.resolve("unlabelled-bad"));
        Files.copy(TestData.root().resolve("test-data/folder-mini/sneaker/00006.png"), bad.resolve("good.png"));
        Files.write(bad.resolve("broken.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 1, 2, 3});
        Recipe r = recipe.withName("ae-fails").withPretrain(new Autoencoder(null, 1, 0.1, 2e-3, 64))
                .withLearningCurve(new LearningCurve(List.of(10), null, 1, null))
                .withVariants(Variant.of("unreadable", "pretrain.data", new UnlabelledFolder(bad.toString())));
        var bytes = new ByteArrayOutputStream();
        var options = Runner.Options.defaults(new PrintStream(bytes, true)).withOutRoot(tmp.resolve("runs")).withDevice(Device.CPU).withThreads(2);
        Runner.Result result = Runner.run(r, options);
        String log = bytes.toString();
        assertThat(result.jobs()).as(log).hasSize(2);
        assertThat(result.failed()).as(log).singleElement().satisfies(j -> {
            assertThat(j.id()).startsWith("unreadable.");
            assertThat(j.error()).contains("pre-training of variant unreadable (recipe path variants[unreadable], its pretrain) failed")
                    .contains("broken.png");
        });
        assertThat(result.summary()).containsKey("base @ perClass10");
        assertThat(log).contains("its jobs are marked failed, the other variants run");
        assertThat(result.runDir().resolve("report.html")).isRegularFile();
    }

    @Test
    void supportRefusesWhatPretrainingCannotDo() {
        Recipe mobile = recipe.withModel(new Model(new MobileNetV2(null), null, null));
        assertThat(Support.check(mobile).errors()).anyMatch(e -> e.startsWith("pretrain: autoencoder pre-training of mobilenetV2"));
        Recipe both = recipe.withModel(new Model(new SmallCnn(null, null, null, null), new WeightsFile("w.pth", null, null), null));
        assertThat(Support.check(both).errors()).anyMatch(e -> e.startsWith("pretrain: the pre-trained encoder and model.weights"));
        assertThat(Support.check(recipe).errors()).isEmpty();
    }
}
