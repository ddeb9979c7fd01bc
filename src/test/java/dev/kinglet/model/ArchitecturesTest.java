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
import dev.kinglet.dsl.Model;
import dev.kinglet.dsl.ResNet;
import dev.kinglet.dsl.WideResNet;
import dev.kinglet.natives.Device;
import dev.kinglet.natives.Modules;
import dev.kinglet.natives.NativeRuntime;
import dev.kinglet.natives.Scope;
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
            default -> throw new IllegalArgumentException(name);
        };
    }

    static Network build(String name, int channels, int classes) {
        return Network.build(new Model(architecture(name), null, new LinearHead(0.0)), channels, 64, 64, classes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"resnet18", "resnet34", "resnet50", "mobilenet_v2"})
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
}
