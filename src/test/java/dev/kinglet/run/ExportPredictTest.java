package dev.kinglet.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kinglet.tools.Predict;
import dev.kinglet.Python;
import dev.kinglet.TestData;
import dev.kinglet.dsl.LinearHead;
import dev.kinglet.dsl.Model;
import dev.kinglet.dsl.ResNet;
import dev.kinglet.model.Network;
import dev.kinglet.natives.Device;
import dev.kinglet.natives.NativeRuntime;
import dev.kinglet.natives.Normalization;
import dev.kinglet.natives.Scope;
import dev.kinglet.natives.TensorMemory;

/** A saved model is what Python's TorchVision loads strictly, and what predict uses. */
class ExportPredictTest {
    @TempDir Path tmp;

    @BeforeAll
    static void start() {
        NativeRuntime.start(2, 0, Device.parse("cpu"));
    }

    @Test
    void pythonLoadsTheSavedStateDictStrictlyIntoTorchVisionAndComputesTheSameOutput() throws Exception {
        NativeRuntime.seed(5);
        Model model = new Model(new ResNet(18), null, new LinearHead(0.0));
        float[] x = new float[2 * 3 * 32 * 32];
        for (int i = 0; i < x.length; i++) x[i] = (float) Math.sin(i * 0.37);
        float[] java;
        try (Network net = Network.build(model, 3, 32, 32, 7)) {
            net.setTraining(false);
            ModelFiles.save(tmp, net, new ModelFiles.Description(model, List.of("a", "b", "c", "d", "e", "f", "g"), 3, 32, 32, false,
                    new Normalization(new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.25f, 0.25f, 0.25f})));
            try (var scope = Scope.evalBatch()) {
                java = TensorMemory.toFloats(net.logits(TensorMemory.fromFloats(x, 2, 3, 32, 32)));
            }
        }
        Files.write(tmp.resolve("x.f32"), toBytes(x));
        String out = Python.code("""
                import sys, torch, torchvision, numpy
                sd = torch.load(sys.argv[1])
                assert type(sd).__name__ == 'OrderedDict', type(sd)
                m = torchvision.models.resnet18(num_classes=7)
                m.load_state_dict(sd, strict=True)
                m.eval()
                x = torch.from_numpy(numpy.fromfile(sys.argv[2], dtype='<f4').reshape(2, 3, 32, 32))
                with torch.no_grad():
                    print(' '.join('%.7g' % v for v in m(x).flatten().tolist()))
                """, tmp.resolve(ModelFiles.WEIGHTS).toString(), tmp.resolve("x.f32").toString());
        double[] python = Arrays.stream(out.trim().split(" ")).mapToDouble(Double::parseDouble).toArray();
        assertThat(python).hasSize(java.length);
        for (int i = 0; i < java.length; i++) assertThat(python[i]).isCloseTo(java[i], org.assertj.core.data.Offset.offset(1e-4 * Math.max(1, Math.abs(java[i]))));
    }

    @Test
    void predictWritesOneRowOfProbabilitiesPerImage() throws Exception {
        Model model = new Model(new ResNet(18), null, new LinearHead(0.0));
        try (Network net = Network.build(model, 1, 28, 28, 3)) {
            ModelFiles.save(tmp, net, new ModelFiles.Description(model, List.of("ankle-boot", "bag", "sneaker"), 1, 28, 28, false,
                    new Normalization(new float[] {0.3f}, new float[] {0.35f})));
        }
        Path csv = tmp.resolve("preds.csv");
        int n = Predict.run(tmp, List.of(TestData.root().resolve("test-data/folder-mini")), csv, System.out);
        List<String> lines = Files.readAllLines(csv);
        assertThat(n).isEqualTo(12);
        assertThat(lines.get(0)).isEqualTo("path,predicted,p_ankle-boot,p_bag,p_sneaker");
        assertThat(lines).hasSize(13);
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            assertThat(List.of("ankle-boot", "bag", "sneaker")).contains(f[1]);
            assertThat(Double.parseDouble(f[2]) + Double.parseDouble(f[3]) + Double.parseDouble(f[4])).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
        }
        Path bad = Files.writeString(tmp.resolve("not-an-image.png"), "hello");
        assertThatThrownBy(() -> Predict.run(tmp, List.of(bad), tmp.resolve("x.csv"), System.out)).hasMessageContaining("not-an-image.png");
        assertThatThrownBy(() -> ModelFiles.describe(tmp.resolve("nowhere"))).hasMessageContaining("model.json");
    }

    static byte[] toBytes(float[] f) {
        var b = java.nio.ByteBuffer.allocate(f.length * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (float v : f) b.putFloat(v);
        return b.array();
    }
}
