package dev.kinglet.train;

import java.util.List;

/**
 * Test metrics of a classifier from its class probabilities: accuracy, mean negative
 * log-likelihood and the confusion matrix (rows = truth). The probabilities ({@code [images, classes]},
 * row-major) are kept for ensembles and calibration.
 */
public record Evaluation(int images, double accuracy, double loss, long[][] confusion, List<String> classes, float[] probabilities) {

    /** Metrics of {@code p} (row-major {@code [labels.length, classes]}) against {@code labels}. */
    public static Evaluation of(float[] p, int[] labels, List<String> classes) {
        int n = labels.length, k = classes.size();
        if (p.length != n * k) throw new IllegalArgumentException(p.length + " probabilities for " + n + " images of " + k + " classes");
        long[][] confusion = new long[k][k];
        long correct = 0;
        double nll = 0;
        for (int i = 0; i < n; i++) {
            int best = argmax(p, i, k);
            confusion[labels[i]][best]++;
            if (best == labels[i]) correct++;
            nll -= Math.log(Math.max(p[i * k + labels[i]], 1e-12));
        }
        return new Evaluation(n, n == 0 ? Double.NaN : (double) correct / n, n == 0 ? Double.NaN : nll / n, confusion, List.copyOf(classes), p);
    }

    static int argmax(float[] p, int row, int k) {
        int best = 0;
        for (int c = 1; c < k; c++) if (p[row * k + c] > p[row * k + best]) best = c;
        return best;
    }

    public double[] perClassAccuracy() {
        double[] acc = new double[confusion.length];
        for (int i = 0; i < confusion.length; i++) {
            long row = 0;
            for (long v : confusion[i]) row += v;
            acc[i] = row == 0 ? Double.NaN : (double) confusion[i][i] / row;
        }
        return acc;
    }

    /** Mean of the per-class recalls over the classes present in the test set. */
    public double balancedAccuracy() {
        double sum = 0;
        int present = 0;
        for (double a : perClassAccuracy()) {
            if (Double.isNaN(a)) continue;
            sum += a;
            present++;
        }
        return present == 0 ? Double.NaN : sum / present;
    }
}
