package dev.kinglet.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Test metrics of a classifier from its class probabilities: accuracy, balanced accuracy,
 * macro-F1, per-class precision/recall/F1, top-k accuracy, mean negative log-likelihood,
 * expected calibration error and the confusion matrix (rows = truth). The probabilities
 * ({@code [images, classes]}, row-major) and labels are kept for ensembles and calibration.
 */
public record Evaluation(int images, double accuracy, double loss, long[][] confusion, List<String> classes, float[] probabilities,
                         int[] labels) {
    /** Bins of the reliability diagram and of {@link #expectedCalibrationError()} (equal widths over confidence, as Guo et al. 2017). */
    public static final int CALIBRATION_BINS = 15;

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
        return new Evaluation(n, n == 0 ? Double.NaN : (double) correct / n, n == 0 ? Double.NaN : nll / n, confusion, List.copyOf(classes), p,
                labels.clone());
    }

    static int argmax(float[] p, int row, int k) {
        int best = 0;
        for (int c = 1; c < k; c++) if (p[row * k + c] > p[row * k + best]) best = c;
        return best;
    }

    /** Recall of each class (NaN for a class absent from the test set). */
    public double[] perClassAccuracy() {
        return recall();
    }

    public double[] recall() {
        double[] r = new double[confusion.length];
        for (int i = 0; i < confusion.length; i++) {
            long row = 0;
            for (long v : confusion[i]) row += v;
            r[i] = row == 0 ? Double.NaN : (double) confusion[i][i] / row;
        }
        return r;
    }

    /** Precision of each class (NaN for a class never predicted). */
    public double[] precision() {
        int k = confusion.length;
        double[] p = new double[k];
        for (int c = 0; c < k; c++) {
            long col = 0;
            for (long[] row : confusion) col += row[c];
            p[c] = col == 0 ? Double.NaN : (double) confusion[c][c] / col;
        }
        return p;
    }

    /** F1 of each class; 0 where precision or recall is undefined or both are 0 (scikit-learn's zero_division=0). */
    public double[] f1() {
        double[] p = precision(), r = recall(), f = new double[p.length];
        for (int c = 0; c < f.length; c++) {
            double pc = Double.isNaN(p[c]) ? 0 : p[c], rc = Double.isNaN(r[c]) ? 0 : r[c];
            f[c] = pc + rc == 0 ? 0 : 2 * pc * rc / (pc + rc);
        }
        return f;
    }

    /** Unweighted mean of the per-class F1 over the classes present in the test set or predicted. */
    public double macroF1() {
        double[] f = f1(), r = recall(), p = precision();
        double sum = 0;
        int counted = 0;
        for (int c = 0; c < f.length; c++) {
            if (Double.isNaN(r[c]) && Double.isNaN(p[c])) continue;
            sum += f[c];
            counted++;
        }
        return counted == 0 ? Double.NaN : sum / counted;
    }

    /** Mean of the per-class recalls over the classes present in the test set. */
    public double balancedAccuracy() {
        double sum = 0;
        int present = 0;
        for (double a : recall()) {
            if (Double.isNaN(a)) continue;
            sum += a;
            present++;
        }
        return present == 0 ? Double.NaN : sum / present;
    }

    /** Share of images whose true class is among the {@code k} most probable (ties broken towards the lower class index). */
    public double topK(int k) {
        int classes = this.classes.size();
        if (k >= classes) return 1.0;
        long hit = 0;
        for (int i = 0; i < images; i++) {
            float truth = probabilities[i * classes + labels[i]];
            int above = 0;
            for (int c = 0; c < classes; c++) {
                float v = probabilities[i * classes + c];
                if (v > truth || (v == truth && c < labels[i])) above++;
            }
            if (above < k) hit++;
        }
        return images == 0 ? Double.NaN : (double) hit / images;
    }

    /** One bin of the reliability diagram: images whose confidence falls in [{@code low}, {@code high}). */
    public record Bin(double low, double high, int images, Double confidence, Double accuracy) {}

    /** The reliability diagram: confidence (top probability) against accuracy in {@link #CALIBRATION_BINS} equal-width bins. */
    public List<Bin> reliability() {
        int k = classes.size(), bins = CALIBRATION_BINS;
        int[] count = new int[bins];
        double[] conf = new double[bins], correct = new double[bins];
        for (int i = 0; i < images; i++) {
            int best = argmax(probabilities, i, k);
            double c = probabilities[i * k + best];
            int b = Math.min(bins - 1, Math.max(0, (int) Math.ceil(c * bins) - 1)); // (low, high], as Guo et al.
            count[b]++;
            conf[b] += c;
            if (best == labels[i]) correct[b]++;
        }
        List<Bin> out = new ArrayList<>();
        for (int b = 0; b < bins; b++) {
            out.add(new Bin((double) b / bins, (double) (b + 1) / bins, count[b], count[b] == 0 ? null : conf[b] / count[b],
                    count[b] == 0 ? null : correct[b] / count[b]));
        }
        return out;
    }

    /** Expected calibration error: the image-weighted mean gap between confidence and accuracy over the reliability bins. */
    public double expectedCalibrationError() {
        double ece = 0;
        for (Bin b : reliability()) if (b.images() > 0) ece += (double) b.images() / images * Math.abs(b.accuracy() - b.confidence());
        return images == 0 ? Double.NaN : ece;
    }

    /** Every metric by name, for results.json: the numbers a report shows. */
    public Map<String, Object> metrics() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("images", images);
        m.put("accuracy", accuracy);
        m.put("balancedAccuracy", balancedAccuracy());
        m.put("macroF1", macroF1());
        m.put("top1", accuracy);
        if (classes.size() > 2) m.put("top" + Math.min(5, classes.size() - 1), topK(Math.min(5, classes.size() - 1)));
        m.put("nll", loss);
        m.put("ece", expectedCalibrationError());
        Map<String, Map<String, Double>> perClass = new LinkedHashMap<>();
        double[] p = precision(), r = recall(), f = f1();
        for (int c = 0; c < classes.size(); c++) {
            Map<String, Double> x = new LinkedHashMap<>();
            x.put("precision", nanToNull(p[c]));
            x.put("recall", nanToNull(r[c]));
            x.put("f1", f[c]);
            perClass.put(classes.get(c), x);
        }
        m.put("perClass", perClass);
        m.put("confusion", confusion);
        m.put("reliability", reliability());
        return m;
    }

    private static Double nanToNull(double v) {
        return Double.isNaN(v) ? null : v;
    }
}
