package dev.kinglet.natives;

import java.util.Arrays;

/**
 * Per-channel normalisation of 8-bit pixels: {@code x = (v / 255 - mean[c]) / std[c]}.
 * One mean and std per channel of the tensor.
 */
public record Normalization(float[] mean, float[] std) {
    /** Pixels scaled to [0, 1], one channel. */
    public static final Normalization UNIT = new Normalization(new float[] {0f}, new float[] {1f});

    public Normalization {
        if (mean.length != std.length || mean.length == 0) {
            throw new IllegalArgumentException("mean and std need one value per channel, got " + mean.length + " and " + std.length);
        }
        for (float s : std) if (!(s > 0)) throw new IllegalArgumentException("std must be > 0, got " + Arrays.toString(std));
        mean = mean.clone();
        std = std.clone();
    }

    public int channels() {
        return mean.length;
    }

    /** The same values for each of {@code channels} channels (e.g. one grey mean for RGB). */
    public Normalization broadcast(int channels) {
        if (channels == mean.length) return this;
        if (mean.length != 1) throw new IllegalArgumentException("cannot use " + mean.length + "-channel normalisation for " + channels + " channels");
        float[] m = new float[channels], s = new float[channels];
        Arrays.fill(m, mean[0]);
        Arrays.fill(s, std[0]);
        return new Normalization(m, s);
    }

    /** Scale of {@code convertTo} from uint8 to the normalised value of channel {@code c}. */
    double scale(int c) {
        return 1.0 / (255.0 * std[c]);
    }

    double offset(int c) {
        return -mean[c] / std[c];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Normalization n && Arrays.equals(mean, n.mean) && Arrays.equals(std, n.std);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        return "Normalization[mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + "]";
    }
}
