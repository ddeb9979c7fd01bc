package dev.kinglet.report;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A saturating power law {@code accuracy(n) = a - b * n^-c} fitted to a learning curve (the shape
 * of Hestness et al. 2017 and of Cortes et al. 1994 for the error rate), and the labelled images
 * it predicts a target accuracy needs. For each exponent {@code c} on a fine grid the best
 * {@code a}, {@code b} are ordinary least squares (the model is linear in them); the fit is the
 * {@code c} of least squared error with {@code b > 0} and {@code a <= 1}. The interval of the
 * estimate comes from refitting to bootstrap resamples of the seeds at every point.
 */
public final class PowerLaw {
    /** The fitted curve; {@code rmse} is over the point means. */
    public record Fit(double a, double b, double c, double rmse) {
        public double at(double n) {
            return a - b * Math.pow(n, -c);
        }

        /** The {@code n} at which the curve reaches {@code target}, or infinity when the asymptote {@code a} is not above it. */
        public double needed(double target) {
            if (target >= a) return Double.POSITIVE_INFINITY;
            return Math.pow(b / (a - target), 1 / c);
        }
    }

    /** What the curve says about a target: the labelled amount it needs with a 95% bootstrap interval, or why it cannot say. */
    public record Estimate(double target, Double needed, Double ciLow, Double ciHigh, int resamples, double reachedShare, String verdict) {}

    private PowerLaw() {}

    /** The fit to the means of {@code values} at {@code n} (each point's values over seeds); null with fewer than 3 points. */
    public static Fit fit(double[] n, List<List<Double>> values) {
        double[] y = new double[n.length];
        for (int i = 0; i < n.length; i++) y[i] = values.get(i).stream().mapToDouble(d -> d).average().orElse(Double.NaN);
        return fitMeans(n, y);
    }

    static Fit fitMeans(double[] n, double[] y) {
        if (n.length < 3) return null;
        Fit best = null;
        double bestSse = Double.POSITIVE_INFINITY;
        for (int step = 1; step <= 400; step++) {
            double c = step * 0.005; // 0.005 .. 2
            double[] x = new double[n.length];
            for (int i = 0; i < n.length; i++) x[i] = Math.pow(n[i], -c);
            // y = a + s * x with s = -b: least squares
            double mx = mean(x), my = mean(y), sxx = 0, sxy = 0;
            for (int i = 0; i < n.length; i++) {
                sxx += (x[i] - mx) * (x[i] - mx);
                sxy += (x[i] - mx) * (y[i] - my);
            }
            if (sxx == 0) continue;
            double s = sxy / sxx, a = my - s * mx, b = -s;
            if (b <= 0) continue;
            if (a > 1) { // the asymptote is capped at 1: refit b with a = 1
                a = 1;
                double num = 0, den = 0;
                for (int i = 0; i < n.length; i++) {
                    num += x[i] * (1 - y[i]);
                    den += x[i] * x[i];
                }
                b = num / den;
                if (b <= 0) continue;
            }
            double sse = 0;
            for (int i = 0; i < n.length; i++) {
                double r = y[i] - (a - b * x[i]);
                sse += r * r;
            }
            if (sse < bestSse) {
                bestSse = sse;
                best = new Fit(a, b, c, Math.sqrt(sse / n.length));
            }
        }
        return best;
    }

    /**
     * The labelled amount (in the unit of {@code n}) that reaches {@code target}: the point fit's
     * answer with the 2.5/97.5 percentiles of {@code resamples} bootstrap refits. The answer is
     * "too uncertain" when a tenth or more of the refits never reach the target, or the upper
     * end of the interval is over 10 times the lower.
     */
    public static Estimate estimate(double[] n, List<List<Double>> values, double target, int resamples, long seed) {
        Fit fit = fit(n, values);
        if (fit == null) return new Estimate(target, null, null, null, 0, 0, "a fit needs at least 3 points of the curve");
        SplittableRandom random = new SplittableRandom(seed);
        List<Double> needed = new ArrayList<>();
        int reached = 0;
        double[] y = new double[n.length];
        for (int r = 0; r < resamples; r++) {
            for (int i = 0; i < n.length; i++) {
                List<Double> v = values.get(i);
                double sum = 0;
                for (int j = 0; j < v.size(); j++) sum += v.get(random.nextInt(v.size()));
                y[i] = sum / v.size();
            }
            Fit f = fitMeans(n, y);
            double m = f == null ? Double.POSITIVE_INFINITY : f.needed(target);
            if (Double.isFinite(m)) reached++;
            needed.add(m);
        }
        needed.sort(null);
        double low = needed.get((int) Math.floor(0.025 * (resamples - 1))), high = needed.get((int) Math.ceil(0.975 * (resamples - 1)));
        double point = fit.needed(target), share = (double) reached / resamples;
        double largest = 0;
        for (double v : n) largest = Math.max(largest, v);
        String verdict;
        if (!Double.isFinite(point)) {
            verdict = String.format(java.util.Locale.ROOT, "the curve levels off at %.1f%%, below the target: more labels alone are unlikely to reach it", 100 * fit.a());
        } else if (share < 0.9 || !Double.isFinite(high) || high > 10 * low) {
            verdict = "the fit is too uncertain to say: only " + Math.round(100 * share) + "% of the bootstrap refits reach the target, or the interval spans more than 10x";
        } else if (point <= largest) {
            verdict = "the target is already reached within the measured range";
        } else {
            verdict = String.format(java.util.Locale.ROOT, "about %.0f (95%% interval %.0f to %.0f)", point, low, high);
        }
        return new Estimate(target, Double.isFinite(point) ? point : null, Double.isFinite(low) ? low : null, Double.isFinite(high) ? high : null,
                resamples, share, verdict);
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double d : v) s += d;
        return s / v.length;
    }
}
