package dev.kinglet.augment;

import java.util.SplittableRandom;

import dev.kinglet.natives.Image;

/**
 * RandAugment (Cubuk et al. 2020) and TrivialAugmentWide (Müller and Hutter 2021) over
 * TorchVision's op space: identity, shears, translations, rotation, brightness, colour,
 * contrast, sharpness, posterize, solarize, autocontrast, equalize. Magnitudes are bins of 0..30
 * (RandAugment) mapped to each op's range, signs chosen at random as TorchVision does.
 */
final class AutoAugment {
    private AutoAugment() {}

    private static final int OPS = 14, BINS = 31;

    static Image randAugment(Image img, int n, int magnitude, SplittableRandom rng) {
        for (int i = 0; i < n; i++) img = op(img, rng.nextInt(OPS), magnitude / 30.0, false, rng);
        return img;
    }

    static Image trivialAugmentWide(Image img, SplittableRandom rng) {
        return op(img, rng.nextInt(OPS), rng.nextInt(BINS) / 30.0, true, rng);
    }

    /** Op {@code k} at strength {@code s} in [0, 1]; {@code wide} uses TrivialAugmentWide's larger ranges. */
    static Image op(Image img, int k, double s, boolean wide, SplittableRandom rng) {
        double sign = rng.nextBoolean() ? 1 : -1;
        double shear = (wide ? 0.99 : 0.3) * s, translate = (wide ? 32.0 : 0.45 * Math.min(img.width(), img.height())) * s;
        double rotate = (wide ? 135 : 30) * s, enhance = (wide ? 0.99 : 0.9) * s;
        return switch (k) {
            case 0 -> img;
            case 1 -> Geometry.affine(img, 0, 0, 0, 1, Math.toDegrees(Math.atan(sign * shear)), 0, Image.Interpolation.BILINEAR);
            case 2 -> Geometry.affine(img, 0, 0, 0, 1, 0, Math.toDegrees(Math.atan(sign * shear)), Image.Interpolation.BILINEAR);
            case 3 -> Geometry.affine(img, 0, sign * translate / img.width(), 0, 1, 0, 0, Image.Interpolation.BILINEAR);
            case 4 -> Geometry.affine(img, 0, 0, sign * translate / img.height(), 1, 0, 0, Image.Interpolation.BILINEAR);
            case 5 -> Geometry.rotate(img, sign * rotate, Image.Interpolation.BILINEAR);
            case 6 -> img.brightness(1 + sign * enhance);
            case 7 -> img.saturation(1 + sign * enhance);
            case 8 -> img.contrast(1 + sign * enhance);
            case 9 -> img.sharpness(1 + sign * enhance);
            case 10 -> img.posterize(Math.max(1, 8 - (int) Math.round((wide ? 6 : 4) * s)));
            case 11 -> img.solarize((int) Math.round(255 * (1 - s)));
            case 12 -> img.autocontrast();
            default -> img.equalize();
        };
    }
}
