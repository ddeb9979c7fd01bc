package dev.kinglet.tune;

import java.util.SplittableRandom;

import dev.kinglet.dsl.RecipeException;

/**
 * Points of the unit cube {@code [0, 1)^d}, one per trial index, reproducible from a seed: the
 * same index always gives the same point, so a resumed search re-runs a trial with its own
 * configuration.
 */
public sealed interface Sampler permits Sampler.Random, Sampler.Sobol {
    double[] point(int index);

    static Sampler of(String kind, int dimensions, long seed) {
        return switch (kind) {
            case "random" -> new Random(dimensions, seed);
            case "sobol" -> new Sobol(dimensions, seed);
            default -> throw new RecipeException("tune.sampler", "'" + kind + "' is not random or sobol");
        };
    }

    /** Independent uniform draws; point {@code i} from its own generator. */
    record Random(int dimensions, long seed) implements Sampler {
        @Override
        public double[] point(int index) {
            var rng = new SplittableRandom(seed + 0x9E3779B97F4A7C15L * (index + 1L));
            double[] p = new double[dimensions];
            for (int d = 0; d < dimensions; d++) p[d] = rng.nextDouble();
            return p;
        }
    }

    /**
     * The Sobol sequence (Joe and Kuo's direction numbers, 32 bits, Gray-code order) with a
     * seeded random digital shift per dimension. The shift keeps the net property: among the
     * first {@code 2^m} points every dimension has exactly one point in each interval
     * {@code [k/2^m, (k+1)/2^m)}, so a few trials already cover each range evenly, unlike
     * independent draws.
     */
    final class Sobol implements Sampler {
        /** Degree s, coefficients a and initial numbers m_1..m_s of dimensions 2.. (new-joe-kuo-6.21201). */
        private static final int[][] TABLE = {
                {1, 0, 1}, {2, 1, 1, 3}, {3, 1, 1, 3, 1}, {3, 2, 1, 1, 1}, {4, 1, 1, 1, 3, 3}, {4, 4, 1, 3, 5, 13},
                {5, 2, 1, 1, 5, 5, 17}, {5, 4, 1, 1, 5, 5, 5}, {5, 7, 1, 1, 7, 11, 19}, {5, 11, 1, 1, 5, 1, 1},
                {5, 13, 1, 1, 1, 3, 11}, {5, 14, 1, 3, 5, 5, 31}, {6, 1, 1, 3, 3, 9, 7, 49}, {6, 13, 1, 1, 1, 15, 21, 21},
                {6, 16, 1, 3, 1, 13, 27, 49}, {6, 19, 1, 1, 1, 15, 7, 5}, {6, 22, 1, 3, 1, 15, 13, 25},
                {6, 25, 1, 1, 5, 5, 19, 61}, {7, 1, 1, 3, 7, 11, 23, 15, 103}, {7, 4, 1, 3, 7, 13, 13, 15, 69}};
        public static final int MAX_DIMENSIONS = TABLE.length + 1;
        private static final int BITS = 32;

        private final int[][] v;
        private final int[] shift;

        public Sobol(int dimensions, long seed) {
            this(dimensions, seed, true);
        }

        /** Without {@code scrambled}, the plain sequence, whose first point is the origin. */
        Sobol(int dimensions, long seed, boolean scrambled) {
            if (dimensions < 1 || dimensions > MAX_DIMENSIONS) {
                throw new RecipeException("tune.sampler", "sobol covers 1.." + MAX_DIMENSIONS + " tuned settings, not " + dimensions + ": use sampler: random");
            }
            v = new int[dimensions][BITS + 1];
            for (int i = 1; i <= BITS; i++) v[0][i] = 1 << (BITS - i);
            for (int d = 1; d < dimensions; d++) {
                int[] row = TABLE[d - 1];
                int s = row[0], a = row[1];
                for (int i = 1; i <= s; i++) v[d][i] = row[1 + i] << (BITS - i);
                for (int i = s + 1; i <= BITS; i++) {
                    int x = v[d][i - s] ^ (v[d][i - s] >>> s);
                    for (int k = 1; k < s; k++) x ^= ((a >>> (s - 1 - k)) & 1) * v[d][i - k];
                    v[d][i] = x;
                }
            }
            shift = new int[dimensions];
            var rng = new SplittableRandom(seed ^ 0x50B01L);
            for (int d = 0; d < dimensions; d++) shift[d] = scrambled ? rng.nextInt() : 0;
        }

        @Override
        public double[] point(int index) {
            if (index < 0) throw new IllegalArgumentException("index " + index + " < 0");
            int gray = index ^ (index >>> 1);
            double[] p = new double[v.length];
            for (int d = 0; d < v.length; d++) {
                int x = shift[d];
                for (int bit = 0; bit < 31 && (gray >>> bit) != 0; bit++) if (((gray >>> bit) & 1) != 0) x ^= v[d][bit + 1];
                p[d] = Integer.toUnsignedLong(x) / 4294967296.0;
            }
            return p;
        }
    }
}
