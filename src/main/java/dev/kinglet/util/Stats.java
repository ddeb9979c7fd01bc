package dev.kinglet.util;

import java.util.List;

/** Small statistics for intervals over seeds and folds. */
public final class Stats {
    private Stats() {}

    /**
     * Mean, sample standard deviation (n - 1) and two-sided 95% Student-t interval of the mean of
     * {@code jobs} values (folds, seeds or paired differences). One value: no spread, the interval is the value.
     */
    public record Summary(int jobs, double mean, double std, double ciLow, double ciHigh) {
        public static Summary of(List<Double> values) {
            int n = values.size();
            if (n == 0) throw new IllegalArgumentException("no values to summarise");
            double mean = values.stream().mapToDouble(d -> d).average().orElseThrow();
            double var = n < 2 ? 0 : values.stream().mapToDouble(d -> (d - mean) * (d - mean)).sum() / (n - 1);
            double half = n < 2 ? 0 : tQuantile975(n - 1) * Math.sqrt(var / n);
            return new Summary(n, mean, Math.sqrt(var), mean - half, mean + half);
        }

        /** Whether the interval excludes zero (for paired differences: the sign is established at 95%). */
        public boolean excludesZero() {
            return jobs > 1 && (ciLow > 0 || ciHigh < 0);
        }
    }

    /** The 97.5% quantile of Student's t with {@code df} degrees of freedom (two-sided 95% intervals). */
    public static double tQuantile975(int df) {
        if (df < 1) throw new IllegalArgumentException("df must be >= 1");
        double[] table = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
                2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};
        if (df <= table.length) return table[df - 1];
        // Cornish-Fisher expansion around the normal quantile; error < 1e-3 for df > 30.
        double z = 1.959964, g1 = (z * z * z + z) / 4, g2 = (5 * Math.pow(z, 5) + 16 * z * z * z + 3 * z) / 96;
        return z + g1 / df + g2 / ((double) df * df);
    }
}
