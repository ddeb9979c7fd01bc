package dev.kinglet.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import org.junit.jupiter.api.Test;

import dev.kinglet.natives.TensorMemory;

/** Kinglet's loss scaling for mixed precision, on the CPU (where only the scaling applies; autocast is CUDA's). */
class GradScalerTest {
    static Map<String, float[]> weights(Fixture f) {
        Map<String, float[]> out = new LinkedHashMap<>();
        f.net.namedParameters().forEach((k, t) -> out.put(k, TensorMemory.toFloats(t)));
        return out;
    }

    @Test
    void scalingByAPowerOfTwoLeavesTheWeightsBitIdentical() throws Exception {
        Map<String, float[]> plain, scaled;
        try (var f = new Fixture(200, 5)) {
            f.learner.fit(2);
            plain = weights(f);
        }
        try (var f = new Fixture(200, 5)) {
            var scaler = new GradScaler(65536, 3);
            f.learner.mixedPrecision(scaler);
            f.learner.fit(2);
            scaled = weights(f);
            assertThat(scaler.skipped()).isZero();
            assertThat(scaler.scale()).as("10 good steps with growth every 3: doubled three times").isEqualTo(65536.0 * 8);
        }
        assertThat(scaled.keySet()).isEqualTo(plain.keySet());
        // Arrays.equals: AssertJ's containsExactly is quadratic, minutes on the fc layer's weights
        plain.forEach((k, w) -> assertThat(java.util.Arrays.equals(scaled.get(k), w)).as("%s bit-identical", k).isTrue());
    }

    @Test
    void anInfiniteGradientSkipsTheStepHalvesTheScaleAndGoodStepsDoubleIt() throws Exception {
        try (var f = new Fixture(200, 5); var scaler = new GradScaler(0x1p20, 2)) {
            Tensor a = torch.zeros(2), b = torch.zeros(1);
            a.mutable_grad().put(TensorMemory.fromFloats(new float[] {0x1p20f, 4f}, 2));
            b.mutable_grad().put(TensorMemory.fromFloats(new float[] {-3 * 0x1p20f}, 1));
            assertThat(scaler.unscale(List.of(a, b))).as("all finite").isTrue();
            assertThat(TensorMemory.toFloats(a.grad())).containsExactly(1f, 0x1p-18f); // divided exactly
            assertThat(TensorMemory.toFloats(b.grad())).containsExactly(-3f);
            scaler.update(true);
            assertThat(scaler.scale()).isEqualTo(0x1p20);
            scaler.update(true);
            assertThat(scaler.scale()).as("doubled after 2 good steps").isEqualTo(0x1p21);

            b.mutable_grad().put(TensorMemory.fromFloats(new float[] {Float.POSITIVE_INFINITY}, 1));
            assertThat(scaler.unscale(List.of(a, b))).isFalse();
            b.mutable_grad().put(TensorMemory.fromFloats(new float[] {Float.NaN}, 1));
            assertThat(scaler.unscale(List.of(a, b))).isFalse();
            scaler.update(false);
            assertThat(scaler.scale()).isEqualTo(0x1p20);
            assertThat(scaler.skipped()).isEqualTo(1);
            scaler.update(true);
            assertThat(scaler.scale()).as("the run of good steps starts again after a skip").isEqualTo(0x1p20);

            // what a checkpoint holds comes back
            var tensors = scaler.checkpointTensors();
            var values = scaler.checkpointValues();
            try (var other = new GradScaler(65536, 2)) {
                other.restoreCheckpoint(tensors, values);
                assertThat(other.scale()).isEqualTo(0x1p20);
                assertThat(other.skipped()).isEqualTo(1);
                other.update(true);
                assertThat(other.scale()).isEqualTo(0x1p21);
            }
        }
    }

    @Test
    void scalesArePowersOfTwo() {
        assertThatThrownBy(() -> new GradScaler(1000, 10)).hasMessageContaining("power of two");
        assertThatThrownBy(() -> new GradScaler(0x1p128, 10)).hasMessageContaining("power of two");
        assertThat(new GradScaler().scale()).isEqualTo(65536.0);
    }
}
