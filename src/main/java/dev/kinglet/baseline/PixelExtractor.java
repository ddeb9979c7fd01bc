package dev.kinglet.baseline;

import dev.kinglet.data.ImageSet;
import dev.kinglet.dsl.PixelFeatures;
import dev.kinglet.natives.Image;
import dev.kinglet.natives.Pixels;
import dev.kinglet.natives.Scope;

/**
 * Raw pixels scaled to [0, 1], HWC order, the image first shrunk (area interpolation) so its
 * longer side is {@code maxSide}; smaller images are left as they are, never enlarged.
 */
public record PixelExtractor(int maxSide) implements FeatureExtractor {
    public PixelExtractor {
        if (maxSide < 1) throw new IllegalArgumentException("maxSide must be >= 1, got " + maxSide);
    }

    public static PixelExtractor of(PixelFeatures spec) {
        return new PixelExtractor(spec.maxSide());
    }

    /** Height and width of an image of {@code height x width} after shrinking. */
    public int[] size(int height, int width) {
        int longer = Math.max(height, width);
        if (longer <= maxSide) return new int[] {height, width};
        double s = (double) maxSide / longer;
        return new int[] {Math.max(1, (int) Math.round(height * s)), Math.max(1, (int) Math.round(width * s))};
    }

    @Override
    public float[][] extract(ImageSet set) {
        Pixels px = set.pixels();
        int[] hw = size(px.height(), px.width());
        boolean shrink = hw[0] != px.height() || hw[1] != px.width();
        float[][] out = new float[set.size()][];
        for (int i = 0; i < out.length; i++) {
            byte[] b;
            if (shrink) {
                try (var scope = Scope.image()) {
                    b = Image.of(px, set.row(i)).resize(hw[0], hw[1]).toBytes();
                }
            } else {
                b = px.get(set.row(i));
            }
            float[] v = new float[b.length];
            for (int j = 0; j < b.length; j++) v[j] = (b[j] & 0xFF) / 255f;
            out[i] = v;
        }
        return out;
    }
}
