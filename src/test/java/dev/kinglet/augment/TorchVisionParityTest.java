package dev.kinglet.augment;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.kinglet.TestData;
import dev.kinglet.natives.BatchBuffer;
import dev.kinglet.natives.Image;
import dev.kinglet.natives.NativeRuntime;
import dev.kinglet.natives.Normalization;
import dev.kinglet.natives.Scope;
import dev.kinglet.natives.TensorMemory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Kinglet's deterministic ops against TorchVision 0.14 (PIL) outputs made once by
 * test-data/make-torchvision-fixtures.py, applied to the same (PIL-decoded) pixels. Tolerances:
 * flips, crops, pads and normalisation exact (normalize within 1e-6); bilinear upscaling within
 * 1 grey level per pixel on average; downscaling, where PIL's antialiasing filter and OpenCV's
 * area interpolation differ by design, within 4 levels on average.
 */
class TorchVisionParityTest {
    static final Path DIR = TestData.root().resolve("test-data/torchvision");

    record Stat(double mean, int max) {}

    static Stat diff(byte[] a, byte[] b) {
        assertThat(a).hasSameSizeAs(b);
        long sum = 0;
        int max = 0;
        for (int i = 0; i < a.length; i++) {
            int d = Math.abs((a[i] & 0xFF) - (b[i] & 0xFF));
            sum += d;
            max = Math.max(max, d);
        }
        return new Stat((double) sum / a.length, max);
    }

    @Test
    void deterministicOpsMatchTorchVision() throws Exception {
        NativeRuntime.start(1, 0, dev.kinglet.natives.Device.CPU);
        JsonNode manifest = JsonMapper.builder().build().readTree(DIR.resolve("manifest.json").toFile());
        Map<String, Image> inputs = new HashMap<>();
        try (var scope = Scope.image()) {
            for (JsonNode f : manifest.get("fixtures")) {
                String input = f.get("input").asString(), op = f.get("op").asString();
                List<Integer> shape = f.get("shape").valueStream().map(JsonNode::asInt).toList();
                byte[] expected = Files.readAllBytes(DIR.resolve(f.get("file").asString()));
                if (op.equals("decode")) {
                    inputs.put(input, Image.of(expected, shape.get(0), shape.get(1), shape.get(2)));
                    Stat decode = diff(Image.read(TestData.root().resolve("test-data/" + input)).toBytes(), expected);
                    System.out.printf("decode %s: mean |diff| %.3f, max %d%n", input, decode.mean(), decode.max());
                    assertThat(decode.mean()).as("OpenCV vs PIL decoding of %s", input).isLessThan(1.0);
                    continue;
                }
                Image in = inputs.get(input);
                JsonNode p = f.get("params");
                switch (op) {
                    case "hflip" -> assertThat(in.flipHorizontal().toBytes()).containsExactly(expected);
                    case "vflip" -> assertThat(in.flipVertical().toBytes()).containsExactly(expected);
                    case "centerCrop" -> assertThat(in.centerCrop(p.get("size").get(0).asInt(), p.get("size").get(1).asInt()).toBytes()).containsExactly(expected);
                    case "pad" -> assertThat(in.pad(p.get("pixels").asInt(), p.get("mode").asString()).toBytes()).containsExactly(expected);
                    case "resizeUp", "resizeDown" -> {
                        Stat s = diff(in.resize(shape.get(0), shape.get(1)).toBytes(), expected);
                        System.out.printf("%s %s: mean |diff| %.3f, max %d%n", op, input, s.mean(), s.max());
                        assertThat(s.mean()).as(op + " " + input).isLessThan(op.equals("resizeUp") ? 1.0 : 4.0);
                    }
                    case "normalize" -> {
                        float[] mean = floats(p.get("mean")), std = floats(p.get("std"));
                        float[] want = new float[expected.length / 4];
                        ByteBuffer.wrap(expected).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(want);
                        try (var buf = new BatchBuffer(1, in.channels(), in.height(), in.width(), 1)) {
                            var batch = buf.next();
                            batch.put(0, in, new Normalization(mean, std), 0);
                            float[] got = TensorMemory.toFloats(batch.images());
                            for (int i = 0; i < want.length; i++) assertThat(Math.abs(got[i] - want[i])).as("value %d", i).isLessThan(1e-5f);
                        }
                    }
                    default -> throw new IllegalStateException("unknown fixture op " + op);
                }
            }
        }
    }

    static float[] floats(JsonNode a) {
        float[] f = new float[a.size()];
        for (int i = 0; i < f.length; i++) f[i] = (float) a.get(i).asDouble();
        return f;
    }
}
