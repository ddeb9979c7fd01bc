package dev.kinglet.augment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.kinglet.dsl.AugmentOp;
import dev.kinglet.dsl.RecipeException;
import dev.kinglet.natives.Device;
import dev.kinglet.natives.Image;
import dev.kinglet.natives.NativeRuntime;
import dev.kinglet.natives.Scope;

/** Rotation and affine maps with either interpolation. */
class GeometryTest {
    /** A 6x6 grey ramp: every pixel a distinct value. */
    private static Image ramp() {
        byte[] px = new byte[36];
        for (int i = 0; i < 36; i++) px[i] = (byte) (7 * i);
        return Image.of(px, 6, 6, 1);
    }

    private static Set<Integer> values(byte[] px) {
        Set<Integer> out = new HashSet<>();
        for (byte b : px) out.add(b & 0xFF);
        return out;
    }

    @Test
    void nearestRotationOnlyMovesPixelsWhileBilinearMixesThem() {
        NativeRuntime.start(1, 0, Device.CPU);
        try (var scope = Scope.image()) {
            Image in = ramp();
            Set<Integer> source = values(in.toBytes());
            source.add(0); // the fill outside the image

            // a quarter turn about the centre of an even square lands on the pixel grid: both interpolations give the pixels turned
            byte[] quarterNearest = Geometry.rotate(in, 90, Image.Interpolation.NEAREST).toBytes();
            byte[] quarterBilinear = Geometry.rotate(in, 90, Image.Interpolation.BILINEAR).toBytes();
            byte[] expected = new byte[36];
            byte[] src = in.toBytes();
            // counter-clockwise: output (row r, column c) shows input (row c, column 5 - r)
            for (int r = 0; r < 6; r++) for (int c = 0; c < 6; c++) expected[r * 6 + c] = src[c * 6 + (5 - r)];
            assertThat(quarterNearest).containsExactly(expected);
            assertThat(quarterBilinear).containsExactly(expected);

            byte[] nearest = Geometry.rotate(in, 17, Image.Interpolation.NEAREST).toBytes();
            byte[] bilinear = Geometry.rotate(in, 17, Image.Interpolation.BILINEAR).toBytes();
            assertThat(source).containsAll(values(nearest));
            assertThat(source.containsAll(values(bilinear))).as("bilinear makes values between neighbours").isFalse();

            byte[] sheared = Geometry.affine(in, 0, 0.1, 0, 1.1, 8, 0, Image.Interpolation.NEAREST).toBytes();
            assertThat(source).containsAll(values(sheared));
        }
    }

    @Test
    void interpolationIsBilinearUnlessTheRecipeSaysNearest() {
        assertThat(new AugmentOp.Rotate(null, null, null, null).interpolation()).isEqualTo("bilinear");
        assertThat(new AugmentOp.Affine(null, null, null, null, null, null, "nearest").interpolation()).isEqualTo("nearest");
        assertThatThrownBy(() -> new AugmentOp.Perspective(null, null, null, "bicubic"))
                .isInstanceOf(RecipeException.class)
                .hasMessageContaining("augment.perspective.interpolation").hasMessageContaining("bilinear, nearest");
    }
}
