package dev.kinglet.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import dev.kinglet.Python;
import dev.kinglet.dsl.Architecture;
import dev.kinglet.dsl.LinearHead;
import dev.kinglet.dsl.Mlp;
import dev.kinglet.dsl.MobileNetV2;
import dev.kinglet.dsl.MobileNetV3Small;
import dev.kinglet.dsl.Model;
import dev.kinglet.dsl.ResNet;
import dev.kinglet.dsl.WideResNet;
import dev.kinglet.natives.Device;
import dev.kinglet.natives.Modules;
import dev.kinglet.natives.NativeRuntime;
import dev.kinglet.natives.Scope;
import dev.kinglet.natives.StateDict;
import dev.kinglet.dsl.Grayscale;
import dev.kinglet.natives.TensorMemory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Kinglet's TorchVision-style architectures against TorchVision 0.14's state dicts (names and shapes). */
class ArchitecturesTest {
    static Path fixtures;
    static JsonNode manifest;

    @BeforeAll
    static void setUp() throws Exception {
        NativeRuntime.start(2, 0, Device.parse("cpu"));
        fixtures = Python.modelFixtures();
        manifest = JsonMapper.builder().build().readTree(fixtures.resolve("manifest.json").toFile());
    }

    static Architecture architecture(String name) {
        return switch (name) {
            case "resnet18" -> new ResNet(18);
            case "resnet34" -> new ResNet(34);
            case "resnet50" -> new ResNet(50);
            case "mobilenet_v2" -> new MobileNetV2(1.0);
            case "mobilenet_v3_small" -> new MobileNetV3Small();
            default -> throw new IllegalArgumentException(name);
        };
    }

    static Network build(String name, int channels, int classes) {
        return Network.build(new Model(architecture(name), null, new LinearHead(0.0)), channels, 64, 64, classes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"resnet18", "resnet34", "resnet50", "mobilenet_v2", "mobilenet_v3_small"})
    void stateDictKeysAndShapesMatchTorchVision(String name) {
        Map<String, List<Long>> python = new LinkedHashMap<>();
        manifest.get("models").get(name).get("shapes").properties()
                .forEach(e -> python.put(e.getKey(), e.getValue().valueStream().map(JsonNode::asLong).toList()));
        try (Network net = build(name, 3, 1000)) {
            Map<String, List<Long>> java = new LinkedHashMap<>();
            Modules.state(net).forEach((k, t) -> java.put(k, Arrays.stream(t.sizes().vec().get()).boxed().toList()));
            assertThat(java).containsExactlyInAnyOrderEntriesOf(python);
        }
    }

    /** Every parameter belongs to a layer group by one of its prefixes, not by falling through to the head. */
    @ParameterizedTest
    @ValueSource(strings = {"resnet18", "resnet50", "mobilenet_v2", "mobilenet_v3_small"})
    void layerGroupsNameEveryParameter(String name) {
        try (Network net = build(name, 3, 10)) {
            List<String> prefixes = net.layerGroups().stream().flatMap(List::stream).toList();
            Modules.parameters(net).forEach((key, t) -> {
                assertThat(prefixes).as(key).anyMatch(p -> key.startsWith(p + "."));
                t.close();
            });
        }
    }

    @Test
    void mobileNetV3SmallFineTunesOnlyItsLastLayerAsTheHead() {
        try (Network net = build("mobilenet_v3_small", 3, 10)) {
            assertThat(net.groupOf("classifier.3.weight")).isEqualTo(2);
            assertThat(net.groupOf("classifier.0.weight")).isEqualTo(1);
            assertThat(net.groupOf("features.0.0.weight")).isEqualTo(0);
            assertThat(net.groupOf("features.12.1.running_mean")).isEqualTo(1);
            assertThat(net.firstConv()).isEqualTo("features.0.0.weight");
        }
    }

    @Test
    void wideResNetHasTheParameterCountOfItsFormula() {
        // WRN-16-4 on 1-channel 28x28, 10 classes: conv 3x3 1->16, then per block (in, out):
        // bn(in) 2in, conv3x3 in*out*9, bn(out) 2out, conv3x3 out*out*9, 1x1 shortcut in*out when in != out
        int[][] blocks = {{16, 64}, {64, 64}, {64, 128}, {128, 128}, {128, 256}, {256, 256}};
        long expected = 9L * 16;
        for (int[] b : blocks) {
            expected += 2L * b[0] + 9L * b[0] * b[1] + 2L * b[1] + 9L * b[1] * b[1] + (b[0] != b[1] ? (long) b[0] * b[1] : 0);
        }
        expected += 2 * 256 + 256 * 10 + 10;
        try (Network net = Network.build(new Model(new WideResNet(16, 4, 0.0, false)), 1, 28, 28, 10);
             var scope = Scope.evalBatch()) {
            assertThat(net.parameterCount()).isEqualTo(expected);
            net.setTraining(false);
            Tensor y = net.logits(TensorMemory.fromFloats(new float[2 * 28 * 28], 2, 1, 28, 28));
            assertThat(y.sizes().vec().get()).containsExactly(2, 10);
        }
    }

    @Test
    void mlpMapsFlattenedImagesToClasses() {
        try (Network net = Network.build(new Model(new Mlp(List.of(32, 16), 0.1)), 1, 28, 28, 10); var scope = Scope.evalBatch()) {
            assertThat(net.parameterCount()).isEqualTo(784L * 32 + 32 + 32 * 16 + 16 + 16 * 10 + 10);
            net.setTraining(false);
            assertThat(net.logits(TensorMemory.fromFloats(new float[3 * 784], 3, 1, 28, 28)).sizes().vec().get()).containsExactly(3, 10);
        }
    }

    static float[] floats(Path file) throws java.io.IOException {
        var buf = java.nio.ByteBuffer.wrap(java.nio.file.Files.readAllBytes(file)).order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        float[] f = new float[buf.remaining()];
        buf.get(f);
        return f;
    }

    /**
     * TorchVision's random weights (random batch-norm statistics too) loaded strictly by name give
     * TorchVision's eval-mode output on the same input: tolerance 1e-4 relative to the largest logit.
     */
    @ParameterizedTest
    @ValueSource(strings = {"resnet18", "resnet34", "resnet50", "mobilenet_v2", "mobilenet_v3_small"})
    void torchVisionWeightsGiveTorchVisionOutputs(String name) throws Exception {
        float[] expected = floats(fixtures.resolve(name + "-output.f32"));
        try (Network net = build(name, 3, 1000); StateDict sd = StateDict.read(fixtures.resolve(name + ".pth"))) {
            var report = WeightLoader.load(net, ModelFilesAccess.tensors(sd), true, false, Grayscale.SUM);
            assertThat(report.clean()).isTrue();
            assertThat(report.loaded()).isEqualTo(sd.keys().size());
            net.setTraining(false);
            try (var scope = Scope.evalBatch()) {
                float[] actual = TensorMemory.toFloats(net.logits(TensorMemory.fromFloats(floats(fixtures.resolve("input.f32")), 2, 3, 64, 64)));
                double scale = 1, worst = 0;
                for (float v : expected) scale = Math.max(scale, Math.abs(v));
                for (int i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
                assertThat(worst / scale).as("max |java - torchvision| / max |logit|").isLessThan(1e-4);
            }
        }
    }

    @Test
    void strictLoadingNamesWhatDoesNotFitAndReinitHeadKeepsTheNewHead() throws Exception {
        try (Network net = build("resnet18", 3, 10); StateDict sd = StateDict.read(fixtures.resolve("resnet18.pth"))) {
            var weights = ModelFilesAccess.tensors(sd);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> WeightLoader.load(net, weights, true, false, Grayscale.SUM))
                    .hasMessageContaining("fc.weight [1000, 512] in the file, [10, 512] in the model").hasMessageContaining("reinitHead");
            var report = WeightLoader.load(net, weights, true, true, Grayscale.SUM);
            assertThat(report.reinitialised()).containsExactly("fc.weight [1000, 512] -> [10, 512]", "fc.bias [1000] -> [10]");
            assertThat(report.loaded()).isEqualTo(sd.keys().size() - 2);
        }
        try (Network mobile = build("mobilenet_v2", 3, 1000); StateDict sd = StateDict.read(fixtures.resolve("resnet18.pth"))) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> WeightLoader.load(mobile, ModelFilesAccess.tensors(sd), true, false, Grayscale.SUM))
                    .hasMessageContaining("missing: [features.0.0.weight").hasMessageContaining("unexpected: [conv1.weight");
        }
    }

    /** Summing the first convolution over RGB for gray input computes what the RGB network computes on the gray image repeated. */
    @Test
    void grayscaleBySummingEqualsRepeatingTheChannel() throws Exception {
        try (Network rgb = build("resnet18", 3, 1000); Network gray = build("resnet18", 1, 1000);
             StateDict sd = StateDict.read(fixtures.resolve("resnet18.pth"))) {
            WeightLoader.load(rgb, ModelFilesAccess.tensors(sd), true, false, Grayscale.SUM);
            var report = WeightLoader.load(gray, ModelFilesAccess.tensors(sd), true, false, Grayscale.SUM);
            assertThat(report.adapted()).contains("conv1.weight summed");
            rgb.setTraining(false);
            gray.setTraining(false);
            try (var scope = Scope.evalBatch()) {
                float[] pixels = java.util.Arrays.copyOf(floats(fixtures.resolve("input.f32")), 2 * 64 * 64);
                Tensor x = TensorMemory.fromFloats(pixels, 2, 1, 64, 64);
                float[] a = TensorMemory.toFloats(rgb.logits(x.expand(-1, 3, -1, -1).contiguous())), b = TensorMemory.toFloats(gray.logits(x));
                for (int i = 0; i < a.length; i++) assertThat((double) b[i]).isCloseTo(a[i], org.assertj.core.data.Offset.offset(1e-3 * Math.max(1, Math.abs(a[i]))));
            }
        }
    }

    /** A frozen body keeps its weights and its batch-norm statistics through a training step; the head moves. */
    @Test
    void freezingTheBodyFreezesWeightsAndBatchNormStatistics() throws Exception {
        try (Network net = build("resnet18", 3, 10)) {
            net.freezeBody();
            net.setTraining(true);
            var state = Modules.state(net);
            float[] conv = TensorMemory.toFloats(state.get("conv1.weight")), mean = TensorMemory.toFloats(state.get("layer1.0.bn1.running_mean"));
            float[] fc = TensorMemory.toFloats(state.get("fc.weight"));
            try (var scope = Scope.step()) {
                var opt = new org.bytedeco.pytorch.SGD(net.parameters(), new org.bytedeco.pytorch.SGDOptions(0.1));
                Tensor x = TensorMemory.fromFloats(floats(fixtures.resolve("input.f32")), 2, 3, 64, 64);
                Tensor loss = org.bytedeco.pytorch.global.torch.cross_entropy(net.logits(x), TensorMemory.fromLongs(new long[] {1, 2}, 2));
                loss.backward();
                opt.step();
            }
            assertThat(TensorMemory.toFloats(state.get("conv1.weight"))).containsExactly(conv);
            assertThat(TensorMemory.toFloats(state.get("layer1.0.bn1.running_mean"))).containsExactly(mean);
            assertThat(TensorMemory.toFloats(state.get("fc.weight"))).isNotEqualTo(fc);
            net.freeze(0);
            assertThat(state.get("conv1.weight").requires_grad()).isTrue();
        }
    }
}
