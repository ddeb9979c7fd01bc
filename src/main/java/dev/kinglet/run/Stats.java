package dev.kinglet.run;

/** Small statistics for intervals over seeds and folds. */
public final class Stats {
    private Stats() {}

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
