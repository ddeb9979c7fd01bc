package dev.kinglet.train;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Test metrics of a regression model per target — mean absolute error, root mean squared
 * error and the coefficient of determination R² (1 - residual / total sum of squares about the
 * test set's own mean; NaN when a target is constant there) — and their means over the targets.
 * {@code loss} is the mean squared error over images and targets. The predictions
 * ({@code [images, targets]}, row-major) are kept.
 */
public record RegressionEvaluation(int images, List<String> targets, double loss, double[] mae, double[] rmse, double[] r2, float[] predictions) {

    /** Metrics of {@code predicted} against {@code truth}, both row-major {@code [n, names.size()]}. */
    public static RegressionEvaluation of(float[] predicted, float[] truth, List<String> names) {
        int t = names.size(), n = t == 0 ? 0 : truth.length / t;
        if (t == 0 || truth.length != n * t || predicted.length != truth.length) {
            throw new IllegalArgumentException(predicted.length + " predictions and " + truth.length + " targets for " + t + " target names");
        }
        double[] mae = new double[t], rmse = new double[t], r2 = new double[t];
        double squares = 0;
        for (int j = 0; j < t; j++) {
            double mean = 0;
            for (int i = 0; i < n; i++) mean += truth[i * t + j];
            mean /= n;
            double abs = 0, res = 0, tot = 0;
            for (int i = 0; i < n; i++) {
                double y = truth[i * t + j], e = predicted[i * t + j] - y;
                abs += Math.abs(e);
                res += e * e;
                tot += (y - mean) * (y - mean);
            }
            squares += res;
            mae[j] = n == 0 ? Double.NaN : abs / n;
            rmse[j] = n == 0 ? Double.NaN : Math.sqrt(res / n);
            r2[j] = tot == 0 ? Double.NaN : 1 - res / tot;
        }
        return new RegressionEvaluation(n, List.copyOf(names), n == 0 ? Double.NaN : squares / (n * t), mae, rmse, r2, predicted);
    }

    public double meanMae() { return mean(mae); }
    public double meanRmse() { return mean(rmse); }
    public double meanR2() { return mean(r2); }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) s += x;
        return v.length == 0 ? Double.NaN : s / v.length;
    }

    /** Per target and averaged: {@code {"perTarget": {"<target>": {mae, rmse, r2}, ...}, "mean": {...}}}, for results files. */
    public Map<String, Object> table() {
        Map<String, Map<String, Double>> perTarget = new LinkedHashMap<>();
        for (int j = 0; j < targets.size(); j++) perTarget.put(targets.get(j), row(mae[j], rmse[j], r2[j]));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("perTarget", perTarget);
        out.put("mean", row(meanMae(), meanRmse(), meanR2()));
        return out;
    }

    private static Map<String, Double> row(double mae, double rmse, double r2) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("mae", mae);
        m.put("rmse", rmse);
        m.put("r2", Double.isNaN(r2) ? null : r2);
        return m;
    }
}
