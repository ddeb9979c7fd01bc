package dev.kinglet.data;

import java.util.List;

import dev.kinglet.natives.Normalization;
import dev.kinglet.natives.Pixels;

/**
 * Labelled 8-bit images of one size in native memory, with their class names and a content
 * digest (SHA-256 of pixels and labels) for provenance.
 */
public record ImageSet(Pixels pixels, int[] labels, List<String> classes, String sha256) implements AutoCloseable {
    public ImageSet {
        if (labels.length != pixels.count()) {
            throw new IllegalArgumentException(pixels.count() + " images but " + labels.length + " labels");
        }
        classes = List.copyOf(classes);
        for (int l : labels) {
            if (l < 0 || l >= classes.size()) throw new IllegalArgumentException("label " + l + " outside 0.." + (classes.size() - 1));
        }
    }

    public int size() {
        return labels.length;
    }

    public int numClasses() {
        return classes.size();
    }

    /** Per-channel mean and standard deviation of the pixels scaled to [0, 1]. */
    public Normalization statistics() {
        int c = pixels.channels();
        double[] sum = new double[c], sq = new double[c];
        long n = (long) pixels.count() * pixels.height() * pixels.width();
        for (int i = 0; i < pixels.count(); i++) {
            byte[] img = pixels.get(i);
            for (int j = 0; j < img.length; j++) {
                double v = (img[j] & 0xFF) / 255.0;
                sum[j % c] += v;
                sq[j % c] += v * v;
            }
        }
        float[] mean = new float[c], std = new float[c];
        for (int k = 0; k < c; k++) {
            double m = sum[k] / n;
            mean[k] = (float) m;
            std[k] = (float) Math.max(1e-3, Math.sqrt(Math.max(0, sq[k] / n - m * m)));
        }
        return new Normalization(mean, std);
    }

    @Override
    public void close() {
        pixels.close();
    }
}
