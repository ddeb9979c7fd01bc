package dev.kinglet.augment;

import java.util.SplittableRandom;

import dev.kinglet.natives.Image;

/** Affine and perspective maps about the image centre, as TorchVision's functional ops build them. */
final class Geometry {
    private Geometry() {}

    /** Rotation by {@code degrees} counter-clockwise about the centre, same size, zeros outside. */
    static Image rotate(Image img, double degrees, Image.Interpolation interpolation) {
        return affine(img, degrees, 0, 0, 1, 0, 0, interpolation);
    }

    /**
     * Rotation (degrees, counter-clockwise), translation (fractions of width and height), scale
     * and shear (degrees, x then y) about the centre.
     */
    static Image affine(Image img, double degrees, double tx, double ty, double scale, double shearX, double shearY, Image.Interpolation interpolation) {
        double cx = (img.width() - 1) / 2.0, cy = (img.height() - 1) / 2.0;
        double a = Math.toRadians(-degrees), sx = Math.toRadians(shearX), sy = Math.toRadians(shearY);
        // M = T(c + t) * R(a) * Shear(sx, sy) * S(scale) * T(-c), forward map from input to output
        double[][] r = {{Math.cos(a), -Math.sin(a)}, {Math.sin(a), Math.cos(a)}};
        double[][] sh = {{1, Math.tan(sx)}, {Math.tan(sy), 1}};
        double[][] m = new double[2][2];
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 2; j++) m[i][j] = scale * (r[i][0] * sh[0][j] + r[i][1] * sh[1][j]);
        }
        double ox = cx + tx * img.width(), oy = cy + ty * img.height();
        double[] forward = {m[0][0], m[0][1], ox - m[0][0] * cx - m[0][1] * cy,
                m[1][0], m[1][1], oy - m[1][0] * cx - m[1][1] * cy};
        return img.warpAffine(forward, img.height(), img.width(), 0, interpolation);
    }

    /** TorchVision's RandomPerspective: each corner moves inwards by up to {@code distortion} of half the side. */
    static Image perspective(Image img, double distortion, Image.Interpolation interpolation, SplittableRandom rng) {
        int w = img.width(), h = img.height();
        int dx = (int) (distortion * w / 2), dy = (int) (distortion * h / 2);
        double[] start = {0, 0, w - 1, 0, w - 1, h - 1, 0, h - 1};
        double[] end = {
                rng.nextInt(dx + 1), rng.nextInt(dy + 1),
                w - 1 - rng.nextInt(dx + 1), rng.nextInt(dy + 1),
                w - 1 - rng.nextInt(dx + 1), h - 1 - rng.nextInt(dy + 1),
                rng.nextInt(dx + 1), h - 1 - rng.nextInt(dy + 1)};
        return img.warpPerspective(Image.perspectiveTransform(start, end), 0, interpolation);
    }
}
