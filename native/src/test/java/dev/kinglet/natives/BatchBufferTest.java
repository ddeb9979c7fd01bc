package dev.kinglet.natives;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.Random;

import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchBufferTest {
    @BeforeAll
    static void start() {
        NativeRuntime.start(2, 1, Device.CPU);
    }

    private static byte[] randomImage(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void grayscaleSlotHoldsNormalisedValuesValueByValue() {
        int h = 5, w = 7;
        byte[] img = randomImage(h * w * 2, 3);
        var norm = new Normalization(new float[] {0.2860f}, new float[] {0.3530f});
        try (Pixels px = Pixels.copyOf(img, 0, 2, h, w, 1); var buf = new BatchBuffer(4, 1, h, w, 2); var scope = Scope.step()) {
            var batch = buf.next();
            batch.put(2, px, 1, norm, 7);
            batch.put(0, px, 0, norm, 3);
            assertThat(batch.size()).isEqualTo(3);
            float[] got = TensorMemory.toFloats(batch.images());
            for (int slot : new int[] {0, 2}) {
                int image = slot == 0 ? 0 : 1;
                for (int i = 0; i < h * w; i++) {
                    float expected = ((img[image * h * w + i] & 0xFF) / 255f - 0.2860f) / 0.3530f;
                    assertThat(got[slot * h * w + i]).isCloseTo(expected, within(1e-5f));
                }
            }
            assertThat(TensorMemory.toLongs(batch.labels())).containsExactly(3, 0, 7);
        }
    }

    @Test
    void rgbSlotIsChwWithPerChannelNormalisation() {
        int h = 4, w = 3, c = 3;
        byte[] img = randomImage(h * w * c, 5);
        var norm = new Normalization(new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f});
        try (Pixels px = Pixels.copyOf(img, 0, 1, h, w, c); var buf = new BatchBuffer(2, c, h, w, 1); var scope = Scope.step()) {
            var batch = buf.next();
            batch.put(1, px, 0, norm, 1);
            float[] got = TensorMemory.toFloats(batch.images());
            int offset = c * h * w; // slot 1
            for (int ch = 0; ch < c; ch++) {
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        float v = (img[(y * w + x) * c + ch] & 0xFF) / 255f;
                        float expected = (v - norm.mean()[ch]) / norm.std()[ch];
                        assertThat(got[offset + (ch * h + y) * w + x]).as("c=%d y=%d x=%d", ch, y, x).isCloseTo(expected, within(1e-5f));
                    }
                }
            }
        }
    }

    @Test
    void tensorToPixelsRoundTripIsExact() {
        int h = 6, w = 5;
        for (int c : new int[] {1, 3}) {
            byte[] img = randomImage(h * w * c, 11 + c);
            var norm = c == 1 ? new Normalization(new float[] {0.5f}, new float[] {0.25f})
                    : new Normalization(new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f});
            try (Pixels px = Pixels.copyOf(img, 0, 1, h, w, c); var buf = new BatchBuffer(1, c, h, w, 1); var scope = Scope.step()) {
                var batch = buf.next();
                batch.put(0, px, 0, norm, 0);
                Tensor chw = batch.images().select(0, 0);
                assertThat(Previews.toPixels(chw, norm)).as("%d channels", c).containsExactly(img);
            }
        }
    }

    @Test
    void pngPreviewDecodesToTheSamePixels(@TempDir Path dir) throws Exception {
        int h = 8, w = 9;
        byte[] img = randomImage(h * w * 3, 17);
        try (Pixels px = Pixels.copyOf(img, 0, 1, h, w, 3); var buf = new BatchBuffer(1, 3, h, w, 1); var scope = Scope.step()) {
            var batch = buf.next();
            batch.put(0, px, 0, Normalization.UNIT, 0);
            Path png = dir.resolve("preview.png");
            Previews.writePng(batch.images().select(0, 0), Normalization.UNIT, png);
            Mat back = opencv_imgcodecs.imread(png.toString(), opencv_imgcodecs.IMREAD_COLOR_RGB);
            byte[] decoded = new byte[h * w * 3];
            back.data().capacity(decoded.length).get(decoded);
            assertThat(decoded).containsExactly(img);
        }
    }

    @Test
    void ringReusesTheSameMemory() {
        try (Pixels px = Pixels.allocate(1, 2, 2, 1); var buf = new BatchBuffer(1, 1, 2, 2, 2); var scope = Scope.step()) {
            var first = buf.next();
            first.put(0, px, 0, Normalization.UNIT, 0);
            long address = TensorMemory.view(first.images()).address();
            buf.next().put(0, px, 0, Normalization.UNIT, 0);
            var third = buf.next();
            assertThat(third).isSameAs(first);
            assertThat(third.size()).as("emptied on reuse").isZero();
            third.put(0, px, 0, Normalization.UNIT, 0);
            assertThat(TensorMemory.view(third.images()).address()).isEqualTo(address);
        }
    }

    @Test
    void wrongShapeIsRefusedWithBothShapes() {
        try (Pixels px = Pixels.allocate(1, 3, 3, 1); var buf = new BatchBuffer(1, 1, 4, 4, 1)) {
            assertThatThrownBy(() -> buf.next().put(0, px, 0, Normalization.UNIT, 0))
                    .hasMessageContaining("1x3x3").hasMessageContaining("1x4x4");
        }
    }
}
