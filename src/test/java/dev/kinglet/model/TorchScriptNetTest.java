package dev.kinglet.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.SGDOptions;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kinglet.Python;
import dev.kinglet.TestData;
import dev.kinglet.dsl.LinearHead;
import dev.kinglet.dsl.Model;
import dev.kinglet.dsl.RecipeException;
import dev.kinglet.dsl.TorchScriptBackbone;
import dev.kinglet.natives.Device;
import dev.kinglet.natives.NativeRuntime;
import dev.kinglet.natives.Normalization;
import dev.kinglet.natives.Scope;
import dev.kinglet.natives.TensorMemory;
import dev.kinglet.run.ModelFiles;

/** A TorchVision resnet18 without its classifier, scripted in Python, as the backbone of a trainable network. */
class TorchScriptNetTest {
    /** TorchVision's resnet18 has 11,689,512 parameters; its fc (512 x 1000 + 1000) is not in the backbone. */
    static final long BACKBONE_PARAMETERS = 11_689_512L - 513_000L;
    static Path fixture;

    @BeforeAll
    static void start() throws Exception {
        NativeRuntime.start(2, 0, Device.parse("cpu"));
        fixture = Path.of("target/torchscript-fixture").toAbsolutePath();
        if (!Files.isRegularFile(fixture.resolve("manifest.json"))) {
            Python.run(TestData.root().resolve("test-data/models/make-torchscript-fixture.py"), fixture.toString());
        }
    }

    static Model model(String file, int features) {
        return new Model(new TorchScriptBackbone(file, features), null, new LinearHead(0.0));
    }

    static Network net(int classes) {
        return Network.build(model(fixture.resolve("backbone.pt").toString(), 512), 3, 64, 64, classes);
    }

    static float[] floats(Path file) throws IOException {
        var buf = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        float[] f = new float[buf.remaining()];
        buf.get(f);
        return f;
    }

    static Tensor input() throws IOException {
        return TensorMemory.fromFloats(floats(fixture.resolve("input.f32")), 2, 3, 64, 64);
    }

    static float[] get(Map<String, Tensor> state, String key) {
        return TensorMemory.toFloats(state.get(key));
    }

    static void step(Network net, List<Map<String, Tensor>> groups) {
        try (var scope = Scope.step()) {
            TensorVector params = new TensorVector();
            groups.forEach(g -> g.values().forEach(params::push_back));
            SGDOptions o = new SGDOptions(0.1);
            o.momentum().put(0.9);
            var opt = new SGD(params, o);
            opt.zero_grad(); // as the Learner does: no gradient of an earlier step stays on a frozen weight
            Tensor l = torch.cross_entropy(net.logits(torch.randn(4, 3, 64, 64)), TensorMemory.fromLongs(new long[] {0, 1, 2, 0}, 4));
            l.backward();
            opt.step();
        }
    }

    @Test
    void forwardEqualsPythonsThroughAnIdentityHead() throws Exception {
        try (Network net = net(512)) {
            assertThat(net).isInstanceOf(TorchScriptNet.class);
            Map<String, Tensor> state = net.state();
            try (var scope = Scope.noGrad()) {
                state.get("fc.weight").copy_(torch.eye(512));
                state.get("fc.bias").zero_();
            }
            net.setTraining(false);
            float[] expected = floats(fixture.resolve("output.f32"));
            float[] actual;
            try (var scope = Scope.evalBatch()) {
                actual = TensorMemory.toFloats(net.logits(input()));
            }
            assertThat(actual).hasSize(2 * 512);
            double scale = 0, diff = 0;
            for (int i = 0; i < actual.length; i++) {
                scale = Math.max(scale, Math.abs(expected[i]));
                diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
            }
            assertThat(scale).isGreaterThan(0);
            assertThat(diff / scale).as("max difference %s at scale %s", diff, scale).isLessThan(1e-4);
            state.values().forEach(Tensor::close);
        }
    }

    @Test
    void parameterGroupsHoldEveryBackboneParameterThenTheHead() throws Exception {
        try (Network net = net(10)) {
            List<Map<String, Tensor>> groups = net.parameterGroups();
            assertThat(groups).hasSize(2);
            assertThat(groups.get(0).keySet()).allMatch(k -> k.startsWith("backbone.")).contains("backbone.conv1.weight", "backbone.layer4.1.bn2.bias");
            assertThat(groups.get(0)).hasSize(60);
            assertThat(groups.get(0).values().stream().mapToLong(Tensor::numel).sum()).isEqualTo(BACKBONE_PARAMETERS);
            assertThat(groups.get(1).keySet()).containsExactly("fc.weight", "fc.bias");
            assertThat(net.parameterCount()).isEqualTo(BACKBONE_PARAMETERS + 512 * 10 + 10);
            Map<String, Tensor> state = net.state();
            assertThat(state).hasSize(120 + 2).containsKeys("backbone.bn1.running_mean", "backbone.layer1.0.bn1.num_batches_tracked");
            assertThat(net.layerGroups()).containsExactly(List.of("backbone"), List.of("fc"));
            assertThat(net.firstConv()).isNull();
            groups.forEach(g -> g.values().forEach(Tensor::close));
            state.values().forEach(Tensor::close);
        }
    }

    @Test
    void anOptimizerStepTrainsTheBackboneAndFreezingTheBodyKeepsIt() throws Exception {
        try (Network net = net(10)) {
            Map<String, Tensor> state = net.state();
            float[] conv = get(state, "backbone.conv1.weight"), mean = get(state, "backbone.bn1.running_mean"), fc = get(state, "fc.weight");
            net.setTraining(true);
            step(net, net.parameterGroups());
            assertThat(java.util.Arrays.equals(get(state, "backbone.conv1.weight"), conv)).isFalse();
            assertThat(java.util.Arrays.equals(get(state, "backbone.bn1.running_mean"), mean)).isFalse();
            assertThat(java.util.Arrays.equals(get(state, "fc.weight"), fc)).isFalse();

            conv = get(state, "backbone.conv1.weight");
            mean = get(state, "backbone.bn1.running_mean");
            float[] deep = get(state, "backbone.layer4.1.conv2.weight"), deepMean = get(state, "backbone.layer4.1.bn2.running_mean");
            fc = get(state, "fc.weight");
            net.freezeBody();
            net.setTraining(true);
            assertThat(state.get("backbone.conv1.weight").requires_grad()).isFalse();
            assertThat(state.get("fc.weight").requires_grad()).isTrue();
            step(net, net.parameterGroups());
            assertThat(java.util.Arrays.equals(get(state, "backbone.conv1.weight"), conv)).isTrue();
            assertThat(java.util.Arrays.equals(get(state, "backbone.layer4.1.conv2.weight"), deep)).isTrue();
            assertThat(java.util.Arrays.equals(get(state, "backbone.bn1.running_mean"), mean)).isTrue();
            assertThat(java.util.Arrays.equals(get(state, "backbone.layer4.1.bn2.running_mean"), deepMean)).isTrue();
            assertThat(java.util.Arrays.equals(get(state, "fc.weight"), fc)).isFalse();

            net.freeze(0);
            net.setTraining(true);
            step(net, net.parameterGroups());
            assertThat(java.util.Arrays.equals(get(state, "backbone.conv1.weight"), conv)).isFalse();
            assertThat(java.util.Arrays.equals(get(state, "backbone.bn1.running_mean"), mean)).isFalse();
            state.values().forEach(Tensor::close);
        }
    }

    @Test
    void savedModelReloadsToIdenticalLogits(@TempDir Path dir) throws Exception {
        Model model = model(fixture.resolve("backbone.pt").toString(), 512);
        try (Network net = Network.build(model, 3, 64, 64, 3)) {
            net.setTraining(true);
            step(net, net.parameterGroups());
            ModelFiles.save(dir, net, new ModelFiles.Description(model, List.of("a", "b", "c"), 3, 64, 64, false,
                    new Normalization(new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.25f, 0.25f, 0.25f})));
            assertThat(dir.resolve(ModelFiles.BACKBONE)).isRegularFile();
            var description = ModelFiles.describe(dir);
            assertThat(description.model().architecture()).isEqualTo(new TorchScriptBackbone(ModelFiles.BACKBONE, 512));
            try (Network loaded = ModelFiles.load(dir, description)) {
                net.setTraining(false);
                loaded.setTraining(false);
                try (var scope = Scope.evalBatch()) {
                    Tensor x = input();
                    float[] a = TensorMemory.toFloats(net.logits(x));
                    assertThat(TensorMemory.toFloats(loaded.logits(x))).containsExactly(a);
                }
            }
        }
    }

    @Test
    void aWrongFeatureWidthIsRefusedNamingTheFileAndTheRightWidth() {
        String file = fixture.resolve("backbone.pt").toString();
        assertThatThrownBy(() -> Network.build(model(file, 256), 3, 64, 64, 10))
                .isInstanceOf(RecipeException.class)
                .hasMessageContaining("model.architecture.features")
                .hasMessageContaining(file)
                .hasMessageContaining("features must be 512, not 256");
    }

    @Test
    void aFileThatIsNotTorchScriptIsRefusedNamingIt() {
        String file = fixture.resolve("not-torchscript.pt").toString();
        assertThatThrownBy(() -> Network.build(model(file, 512), 3, 64, 64, 10))
                .isInstanceOf(RecipeException.class)
                .hasMessageContaining("model.architecture.file")
                .hasMessageContaining(file)
                .hasMessageContaining("is not a TorchScript archive");
        String missing = fixture.resolve("missing.pt").toString();
        assertThatThrownBy(() -> Network.build(model(missing, 512), 3, 64, 64, 10))
                .isInstanceOf(RecipeException.class)
                .hasMessageContaining(missing + " does not exist");
    }
}
