package dev.kinglet.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kinglet.Python;
import dev.kinglet.dsl.CosineLoss;
import dev.kinglet.dsl.RecipeException;
import dev.kinglet.natives.Device;
import dev.kinglet.natives.NativeRuntime;
import dev.kinglet.natives.Scope;
import dev.kinglet.natives.TensorMemory;

class CosineObjectiveTest {
    private static final double R2 = Math.sqrt(2), R3 = Math.sqrt(0.75), R14 = Math.sqrt(14);

    @BeforeAll
    static void natives() {
        NativeRuntime.start(1, 0, Device.CPU);
    }

    private static Tensor floats(long rows, long cols, float... v) {
        return TensorMemory.fromFloats(v, rows, cols);
    }

    private static Tensor labels(long... v) {
        return TensorMemory.fromLongs(v, v.length);
    }

    private static double[] values(Tensor t) {
        float[] f = TensorMemory.toFloats(t);
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    private static void assertClose(double[] actual, double[] expected, double tolerance) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) assertThat(actual[i]).as("element " + i + " of " + Arrays.toString(actual)).isCloseTo(expected[i], within(tolerance));
    }

    @Test
    void oneHotCosineLossScoresAndPrediction() {
        try (var obj = new CosineObjective(ClassHierarchy.oneHot(3), 3, 0, Device.CPU); var scope = Scope.evalBatch()) {
            Tensor f = floats(3, 3, 3, 4, 0, 1, 2, 3, 0, -2, 0);
            // psi = (.6, .8, 0), (1, 2, 3)/sqrt 14, (0, -1, 0); labels 0, 2, 1
            double expected = ((1 - 0.6) + (1 - 3 / R14) + (1 - -1)) / 3;
            assertThat(obj.loss(f, null, labels(0, 2, 1)).item_double()).isCloseTo(expected, within(1e-6));
            assertClose(values(obj.scores(f)), new double[] {0.6, 0.8, 0, 1 / R14, 2 / R14, 3 / R14, 0, -1, 0}, 1e-6);
            assertThat(TensorMemory.toLongs(obj.predict(f))).containsExactly(1, 2, 0);
            assertThat(obj.loss(f, null, labels(1, 2, 0)).item_double()).as("closer labels, lower loss").isLessThan(expected);
        }
    }

    /** a and b are siblings below p, c hangs from the root: sim(a, b) = 1 - 1/2. */
    @Test
    void semanticEmbeddingsPaddedToTheNetworksDimension(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("h.csv"), "a,p\nb,p\np,r\nc,r\n");
        double[][] phi = ClassHierarchy.read(dir.resolve("h.csv"), List.of("a", "b", "c")).embeddings();
        assertThat(phi[0]).containsExactly(new double[] {1, 0, 0}, within(1e-15));
        assertThat(phi[1]).containsExactly(new double[] {0.5, R3, 0}, within(1e-15));
        assertThat(phi[2]).containsExactly(new double[] {0, 0, 1}, within(1e-15));
        try (var obj = CosineObjective.of(new CosineLoss(0.0, "h.csv"), List.of("a", "b", "c"), dir, 4, Device.CPU);
             var scope = Scope.evalBatch()) {
            assertClose(values(obj.classEmbeddings()), new double[] {1, 0, 0, 0, 0.5, R3, 0, 0, 0, 0, 1, 0}, 1e-7);
            Tensor f = floats(2, 4, 1, 1, 0, 0, 0, 0, 1, 1);
            double cosB = (0.5 + R3) / R2, cosC = 1 / R2;
            assertThat(obj.loss(f, null, labels(1, 2)).item_double()).isCloseTo(((1 - cosB) + (1 - cosC)) / 2, within(1e-6));
            assertClose(values(obj.scores(f)), new double[] {1 / R2, cosB, 0, 0, 0, cosC}, 1e-6);
            double[] p = values(obj.probabilities(f));
            double za = Math.exp(1 / R2 / 0.1), zb = Math.exp(cosB / 0.1), zc = 1;
            assertClose(Arrays.copyOf(p, 3), new double[] {za / (za + zb + zc), zb / (za + zb + zc), zc / (za + zb + zc)}, 1e-6);
            assertThat(p[3] + p[4] + p[5]).isCloseTo(1, within(1e-6));
            assertThat(TensorMemory.toLongs(obj.predict(f))).containsExactly(1, 2);
        }
    }

    @Test
    void combinedLossAddsLambdaTimesCrossEntropy() {
        try (var obj = new CosineObjective(ClassHierarchy.oneHot(2), 2, 0.1, Device.CPU); var scope = Scope.evalBatch()) {
            Tensor f = floats(2, 2, 1, 0, 1, 1);
            Tensor logits = floats(2, 2, 2, 0, -1, 1);
            double cosine = ((1 - 1) + (1 - 1 / R2)) / 2;
            double ce = (-Math.log(Math.exp(2) / (Math.exp(2) + 1)) - Math.log(Math.exp(-1) / (Math.exp(-1) + Math.exp(1)))) / 2;
            assertThat(obj.loss(f, logits, labels(0, 0)).item_double()).isCloseTo(cosine + 0.1 * ce, within(1e-6));
        }
    }

    private static final float[] F = {0.3f, -1.2f, 0.5f, 2.0f, 1.1f, 0.4f, -0.7f, 0.0f, -0.2f, 0.9f, 1.5f, -0.3f};
    private static final float[] W = {0.1f, 0.2f, -0.3f, 0.4f, -0.5f, 0.6f, 0.7f, -0.8f, 0.9f, 0.05f, -0.15f, 0.25f};
    private static final float[] B = {0.01f, -0.02f, 0.03f};
    private static final long[] Y = {2, 0, 1};

    /** Loss and gradients of embedding and classifier on the same numbers in PyTorch (semantic phi, lambda 0.1). */
    private static final String PYTHON = """
            import sys, torch, torch.nn.functional as F
            v = [float(x) for x in sys.argv[1].split(',')]
            f = torch.tensor(v[0:12]).reshape(3, 4).requires_grad_()
            w = torch.tensor(v[12:24]).reshape(3, 4).requires_grad_()
            b = torch.tensor(v[24:27]).requires_grad_()
            phi = torch.tensor(v[27:39]).reshape(3, 4)
            y = torch.tensor([2, 0, 1])
            psi = F.normalize(f)
            loss = (1 - (psi * phi[y]).sum(1)).mean() + 0.1 * F.cross_entropy(psi @ w.t() + b, y)
            loss.backward()
            print(' '.join(repr(x) for x in [loss.item()] + f.grad.flatten().tolist() + w.grad.flatten().tolist() + b.grad.tolist()))
            """;

    @Test
    void gradientsFlowToEmbeddingAndClassifierAsInPyTorch(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("h.csv"), "a,p\nb,p\np,r\nc,r\n");
        try (var obj = CosineObjective.of(new CosineLoss(0.1, "h.csv"), List.of("a", "b", "c"), dir, 4, Device.CPU);
             var scope = Scope.step()) {
            Tensor f = floats(3, 4, F).requires_grad_(true);
            Tensor w = floats(3, 4, W).requires_grad_(true);
            Tensor b = TensorMemory.fromFloats(B, 3).requires_grad_(true);
            Tensor logits = CosineObjective.normalise(f).matmul(w.t()).add(b);
            Tensor loss = obj.loss(f, logits, labels(Y));
            loss.backward();
            double[] gf = values(f.grad()), gw = values(w.grad()), gb = values(b.grad());
            for (double[] g : List.of(gf, gw, gb)) {
                assertThat(Arrays.stream(g).allMatch(Double::isFinite)).as(Arrays.toString(g)).isTrue();
                assertThat(Arrays.stream(g).map(Math::abs).max().orElseThrow()).isGreaterThan(1e-4);
            }

            StringBuilder args = new StringBuilder();
            for (float[] a : List.of(F, W, B)) for (float x : a) args.append(x).append(',');
            for (double x : values(obj.classEmbeddings())) args.append(x).append(',');
            String[] out = Python.code(PYTHON, args.substring(0, args.length() - 1)).strip().split(" ");
            double[] py = Arrays.stream(out).mapToDouble(Double::parseDouble).toArray();
            assertThat(loss.item_double()).isCloseTo(py[0], within(1e-6));
            assertClose(gf, Arrays.copyOfRange(py, 1, 13), 1e-6);
            assertClose(gw, Arrays.copyOfRange(py, 13, 25), 1e-6);
            assertClose(gb, Arrays.copyOfRange(py, 25, 28), 1e-6);
        }
    }

    @Test
    void aZeroEmbeddingGivesFiniteGradients() {
        try (var obj = new CosineObjective(ClassHierarchy.oneHot(2), 2, 0, Device.CPU); var scope = Scope.step()) {
            Tensor f = floats(1, 2, 0, 0).requires_grad_(true);
            Tensor loss = obj.loss(f, null, labels(1));
            loss.backward();
            assertThat(loss.item_double()).isEqualTo(1.0);
            assertThat(Arrays.stream(values(f.grad())).allMatch(Double::isFinite)).isTrue();
        }
    }

    @Test
    void wiringMistakesAreRefused() {
        assertThatThrownBy(() -> new CosineObjective(ClassHierarchy.oneHot(5), 4, 0, Device.CPU)).isInstanceOf(RecipeException.class)
                .hasMessageContaining("model.head.dim").hasMessageContaining(">= 5");
        try (var plain = new CosineObjective(ClassHierarchy.oneHot(2), 2, 0, Device.CPU);
             var combined = new CosineObjective(ClassHierarchy.oneHot(2), 2, 0.1, Device.CPU); var scope = Scope.evalBatch()) {
            Tensor f = floats(1, 2, 1, 0), logits = floats(1, 2, 1, 0), y = labels(0);
            assertThatThrownBy(() -> plain.loss(f, logits, y)).hasMessageContaining("takes no logits");
            assertThatThrownBy(() -> combined.loss(f, null, y)).hasMessageContaining("needs the classifier's logits");
            assertThatThrownBy(() -> plain.loss(floats(1, 3, 1, 0, 0), null, y)).hasMessageContaining("embedding must be [N, 2], got [1, 3]");
            assertThatThrownBy(() -> plain.loss(f, null, labels(0, 1))).hasMessageContaining("labels must be [1], got [2]");
            assertThatThrownBy(() -> combined.loss(f, floats(1, 3, 0, 0, 0), y)).hasMessageContaining("logits must be [1, 2], got [1, 3]");
        }
    }
}
