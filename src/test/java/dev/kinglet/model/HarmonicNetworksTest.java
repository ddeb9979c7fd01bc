package dev.kinglet.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.SGDOptions;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kinglet.Python;
import dev.kinglet.dsl.Grayscale;
import dev.kinglet.dsl.LinearHead;
import dev.kinglet.dsl.Model;
import dev.kinglet.dsl.RecipeException;
import dev.kinglet.dsl.ResNet;
import dev.kinglet.dsl.TorchVisionWeights;
import dev.kinglet.dsl.WideResNet;
import dev.kinglet.natives.Device;
import dev.kinglet.natives.Modules;
import dev.kinglet.natives.NativeRuntime;
import dev.kinglet.natives.Normalization;
import dev.kinglet.natives.Scope;
import dev.kinglet.natives.StateDict;
import dev.kinglet.natives.TensorMemory;
import dev.kinglet.run.ModelFiles;

/** Harmonic blocks (fixed DCT filters, batch norm, learned 1x1 combination) and the networks built from them. */
class HarmonicNetworksTest {
    @BeforeAll
    static void start() {
        NativeRuntime.start(2, 0, Device.parse("cpu"));
    }

    /** The closed form, written out again here: c(u) c(v) cos(pi u (2x+1) / 2k) cos(pi v (2y+1) / 2k). */
    static double dct(int k, int u, int v, int x, int y) {
        double cu = u == 0 ? Math.sqrt(1.0 / k) : Math.sqrt(2.0 / k), cv = v == 0 ? Math.sqrt(1.0 / k) : Math.sqrt(2.0 / k);
        return cu * cv * Math.cos(Math.PI * u * (2 * x + 1) / (2 * k)) * Math.cos(Math.PI * v * (2 * y + 1) / (2 * k));
    }

    @Test
    void dctBankIsTheClosedFormAndAnOrthonormalBasis() {
        for (int k : new int[] {1, 2, 3, 5, 7}) {
            float[] bank = HarmonicConv.bank(k);
            int n = k * k;
            assertThat(bank).hasSize(n * n);
            for (int u = 0; u < k; u++) {
                for (int v = 0; v < k; v++) {
                    for (int x = 0; x < k; x++) {
                        for (int y = 0; y < k; y++) {
                            assertThat((double) bank[(u * k + v) * n + x * k + y]).as("k=%d u=%d v=%d x=%d y=%d", k, u, v, x, y)
                                    .isCloseTo(dct(k, u, v, x, y), within(1e-6));
                        }
                    }
                }
            }
            for (int f = 0; f < n; f++) {
                for (int g = 0; g < n; g++) {
                    double dot = 0;
                    for (int p = 0; p < n; p++) dot += (double) bank[f * n + p] * bank[g * n + p];
                    assertThat(dot).as("k=%d <f%d, f%d>", k, f, g).isCloseTo(f == g ? 1 : 0, within(1e-5));
                }
            }
        }
    }

    @Test
    void harmonicBlockHasTheShapeAndParametersOfItsFormula() {
        // in*k*k*out for the 1x1 combination, no bias; batch norm without affine parameters
        int[][] cases = {{5, 7, 3, 2, 1, 9}, {3, 4, 7, 2, 3, 16}, {16, 16, 3, 1, 1, 8}};
        for (int[] c : cases) {
            int in = c[0], out = c[1], k = c[2], stride = c[3], pad = c[4], size = c[5];
            try (HarmonicConv h = new HarmonicConv(in, out, k, stride, pad); var scope = Scope.evalBatch()) {
                Map<String, Tensor> params = Modules.parameters(h), buffers = Modules.buffers(h);
                assertThat(params.keySet()).containsExactly("combine.weight");
                long count = params.values().stream().mapToLong(Tensor::numel).sum();
                assertThat(count).isEqualTo((long) in * k * k * out);
                assertThat(buffers.keySet()).containsExactlyInAnyOrder("dct", "bn.running_mean", "bn.running_var", "bn.num_batches_tracked");
                assertThat(buffers.get("dct").sizes().vec().get()).containsExactly(in * k * k, 1, k, k);
                assertThat(buffers.get("dct").requires_grad()).isFalse();
                h.train(false);
                Tensor y = h.forward(torch.randn(new long[] {2, in, size, size}));
                long side = (size + 2L * pad - k) / stride + 1;
                assertThat(y.sizes().vec().get()).containsExactly(2, out, side, side);
            }
        }
    }

    /**
     * With the 1x1 combination the identity and batch norm at its initial statistics, output map
     * {@code c*k*k + u*k + v} is input channel c correlated with filter (u, v), u down the rows.
     */
    @Test
    void responsesAreOrderedChannelThenRowFrequencyThenColumnFrequency() {
        int in = 2, k = 3, n = in * k * k, stride = 2, pad = 1, size = 7;
        try (HarmonicConv h = new HarmonicConv(in, n, k, stride, pad)) {
            float[] eye = new float[n * n];
            for (int i = 0; i < n; i++) eye[i * n + i] = 1;
            try (var scope = Scope.noGrad()) {
                Modules.parameters(h).get("combine.weight").copy_(TensorMemory.fromFloats(eye, n, n, 1, 1));
            }
            h.train(false);
            float[] x = new float[in * size * size];
            SplittableRandom r = new SplittableRandom(1);
            for (int i = 0; i < x.length; i++) x[i] = (float) r.nextDouble(-1, 1);
            float[] y;
            try (var scope = Scope.evalBatch()) {
                y = TensorMemory.toFloats(h.forward(TensorMemory.fromFloats(x, 1, in, size, size)));
            }
            int side = (size + 2 * pad - k) / stride + 1;
            double bnScale = 1 / Math.sqrt(1 + 1e-5); // running variance 1, eps 1e-5
            for (int c = 0; c < in; c++) {
                for (int u = 0; u < k; u++) {
                    for (int v = 0; v < k; v++) {
                        for (int i = 0; i < side; i++) {
                            for (int j = 0; j < side; j++) {
                                double expected = 0;
                                for (int dx = 0; dx < k; dx++) {
                                    for (int dy = 0; dy < k; dy++) {
                                        int row = i * stride + dx - pad, col = j * stride + dy - pad;
                                        if (row >= 0 && row < size && col >= 0 && col < size) {
                                            expected += x[(c * size + row) * size + col] * dct(k, u, v, dx, dy);
                                        }
                                    }
                                }
                                int map = c * k * k + u * k + v;
                                assertThat((double) y[(map * side + i) * side + j]).as("map %d at (%d, %d)", map, i, j)
                                        .isCloseTo(expected * bnScale, within(1e-5));
                            }
                        }
                    }
                }
            }
        }
    }

    static final int[][] WRN_16_4_BLOCKS = {{16, 64}, {64, 64}, {64, 128}, {128, 128}, {128, 256}, {256, 256}};

    /**
     * Harmonic WRN-16-4 on 1-channel 28x28, 10 classes. Stem: harmonic 1 -> 16, 1*9*16. Per block
     * (in, out): bn(in) 2in, harmonic in*9*out, bn(out) 2out, harmonic out*9*out, 1x1 shortcut
     * in*out when in != out; harmonic batch norms have no parameters. Head: bn(256), fc 256*10 + 10.
     */
    static long harmonicWrn16x4Parameters() {
        long expected = 1L * 9 * 16;
        for (int[] b : WRN_16_4_BLOCKS) {
            expected += 2L * b[0] + (long) b[0] * 9 * b[1] + 2L * b[1] + (long) b[1] * 9 * b[1] + (b[0] != b[1] ? (long) b[0] * b[1] : 0);
        }
        return expected + 2 * 256 + 256 * 10 + 10;
    }

    static Network harmonicWrn() {
        return Network.build(new Model(new WideResNet(16, 4, 0.0, true)), 1, 28, 28, 10);
    }

    static Tensor batch(int n, long seed) {
        float[] x = new float[n * 28 * 28];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        return TensorMemory.fromFloats(x, n, 1, 28, 28);
    }

    @Test
    void harmonicWideResNetHasTheParametersOfItsFormulaAndDctBuffers() {
        try (Network net = harmonicWrn()) {
            assertThat(net.parameterCount()).isEqualTo(harmonicWrn16x4Parameters());
            Map<String, Tensor> state = Modules.state(net);
            assertThat(state).containsKeys("conv1.dct", "conv1.bn.running_var", "conv1.combine.weight",
                    "block1.layer.0.conv1.dct", "block1.layer.0.conv2.combine.weight", "block1.layer.0.convShortcut.weight");
            assertThat(state).doesNotContainKeys("conv1.weight", "conv1.bn.weight", "block1.layer.1.convShortcut.weight");
            long dct = 0, harmonics = 0;
            for (var e : state.entrySet()) {
                if (e.getKey().endsWith(".dct")) {
                    dct += e.getValue().numel();
                    harmonics++;
                }
            }
            // stem (1 input channel) and two per block: conv1 sees in, conv2 sees out channels; 81 values each
            long inputs = 1;
            for (int[] b : WRN_16_4_BLOCKS) inputs += b[0] + b[1];
            assertThat(harmonics).isEqualTo(1 + 2 * WRN_16_4_BLOCKS.length);
            assertThat(dct).isEqualTo(inputs * 81);
            assertThat(net.firstConv()).isNull();
            state.values().forEach(Tensor::close);
        }
    }

    /** One SGD step with weight decay and momentum moves the learned weights and leaves every DCT bank as it was. */
    @Test
    void harmonicWideResNetTrainsAStepWithoutTouchingItsFilterBank() {
        try (Network net = harmonicWrn()) {
            Map<String, Tensor> state = Modules.state(net);
            float[] bank = TensorMemory.toFloats(state.get("block2.layer.0.conv1.dct"));
            float[] stem = TensorMemory.toFloats(state.get("conv1.dct"));
            float[] combine = TensorMemory.toFloats(state.get("block2.layer.0.conv1.combine.weight"));
            float[] mean = TensorMemory.toFloats(state.get("block2.layer.0.conv1.bn.running_mean"));
            net.setTraining(true);
            double loss;
            try (var scope = Scope.step()) {
                SGDOptions o = new SGDOptions(0.1);
                o.momentum().put(0.9);
                o.weight_decay().put(5e-4);
                var opt = new SGD(net.parameters(), o);
                Tensor l = torch.cross_entropy(net.logits(batch(8, 3)), TensorMemory.fromLongs(new long[] {0, 1, 2, 3, 4, 5, 6, 7}, 8));
                l.backward();
                opt.step();
                loss = l.item_double();
            }
            assertThat(loss).isFinite().isGreaterThan(0);
            assertThat(TensorMemory.toFloats(state.get("block2.layer.0.conv1.dct"))).containsExactly(bank);
            assertThat(TensorMemory.toFloats(state.get("conv1.dct"))).containsExactly(stem);
            assertThat(TensorMemory.toFloats(state.get("block2.layer.0.conv1.combine.weight"))).isNotEqualTo(combine);
            assertThat(TensorMemory.toFloats(state.get("block2.layer.0.conv1.bn.running_mean"))).isNotEqualTo(mean);
            assertThat(state.get("conv1.dct").requires_grad()).isFalse();
            // the stem's bank is the closed form replicated over its one input channel
            assertThat(stem).containsExactly(HarmonicConv.bank(3));
            state.values().forEach(Tensor::close);
        }
    }

    /** Saved as Kinglet saves models (model.pth + model.json) and loaded strictly, the network computes the same outputs. */
    @Test
    void savedHarmonicModelReloadsToIdenticalOutputs(@TempDir Path dir) throws Exception {
        Model model = new Model(new WideResNet(16, 4, 0.0, true), null, new LinearHead(0.0));
        try (Network net = Network.build(model, 1, 28, 28, 10)) {
            net.setTraining(true);
            try (var scope = Scope.step()) {
                var opt = new SGD(net.parameters(), new SGDOptions(0.1));
                torch.cross_entropy(net.logits(batch(8, 5)), TensorMemory.fromLongs(new long[] {0, 1, 2, 3, 4, 5, 6, 7}, 8)).backward();
                opt.step();
            }
            List<String> classes = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
            ModelFiles.save(dir, net, new ModelFiles.Description(model, classes, 1, 28, 28, false,
                    new Normalization(new float[] {0.5f}, new float[] {0.25f})));
            var description = ModelFiles.describe(dir);
            assertThat(description.model()).isEqualTo(model);
            try (Network loaded = ModelFiles.load(dir, description); StateDict sd = StateDict.read(dir.resolve(ModelFiles.WEIGHTS))) {
                assertThat(sd.keys()).contains("conv1.dct", "block3.layer.1.conv2.dct", "block3.layer.1.conv2.bn.running_mean");
                net.setTraining(false);
                loaded.setTraining(false);
                try (var scope = Scope.evalBatch()) {
                    Tensor x = batch(4, 9);
                    assertThat(TensorMemory.toFloats(loaded.logits(x))).containsExactly(TensorMemory.toFloats(net.logits(x)));
                }
            }
        }
    }

    @Test
    void harmonicResNetKeepsTorchVisionsParameterCountButNotItsWeights() throws Exception {
        try (Network plain = Network.build(new Model(new ResNet(18)), 3, 64, 64, 1000);
             Network harmonic = Network.build(new Model(new ResNet(18, true)), 3, 64, 64, 1000)) {
            // a 3x3 (7x7) convolution without bias and its harmonic block have in*k*k*out weights each
            assertThat(harmonic.parameterCount()).isEqualTo(plain.parameterCount()).isEqualTo(11_689_512L);
            assertThat(Modules.buffers(harmonic)).containsKeys("conv1.dct", "layer1.0.conv1.dct", "layer4.1.conv2.dct");
            assertThat(Modules.buffers(harmonic).get("conv1.dct").sizes().vec().get()).containsExactly(3 * 49, 1, 7, 7);
            assertThat(Modules.parameters(harmonic)).containsKeys("layer2.0.downsample.0.weight", "layer2.0.conv1.combine.weight");
            assertThat(harmonic.firstConv()).isNull();
            harmonic.setTraining(false);
            try (var scope = Scope.evalBatch()) {
                assertThat(harmonic.logits(torch.randn(new long[] {2, 3, 64, 64})).sizes().vec().get()).containsExactly(2, 1000);
            }
            StateDict sd = StateDict.read(Python.modelFixtures().resolve("resnet18.pth"));
            try (sd) {
                assertThatThrownBy(() -> WeightLoader.load(harmonic, ModelFilesAccess.tensors(sd), true, false, Grayscale.SUM))
                        .hasMessageContaining("missing: [conv1.combine.weight").hasMessageContaining("unexpected: [conv1.weight");
            }
        }
        try (Network bottleneck = Network.build(new Model(new ResNet(50, true)), 3, 64, 64, 10)) {
            assertThat(Modules.buffers(bottleneck)).containsKeys("layer1.0.conv2.dct").doesNotContainKeys("layer1.0.conv1.dct", "layer1.0.conv3.dct");
        }
    }

    @Test
    void harmonicResNetRefusesTorchVisionWeights() {
        assertThatThrownBy(() -> new Model(new ResNet(18, true), new TorchVisionWeights(null, null, null), null))
                .isInstanceOf(RecipeException.class).hasMessageContaining("model.weights").hasMessageContaining("harmonic");
    }
}
