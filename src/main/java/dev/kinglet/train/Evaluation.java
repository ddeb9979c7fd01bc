package dev.kinglet.train;

import java.util.List;

/** Test metrics of a classifier: accuracy, mean cross-entropy and the confusion matrix (rows = truth). */
public record Evaluation(int images, double accuracy, double loss, long[][] confusion, List<String> classes) {
    public double[] perClassAccuracy() {
        double[] acc = new double[confusion.length];
        for (int i = 0; i < confusion.length; i++) {
            long row = 0;
            for (long v : confusion[i]) row += v;
            acc[i] = row == 0 ? Double.NaN : (double) confusion[i][i] / row;
        }
        return acc;
    }
}
