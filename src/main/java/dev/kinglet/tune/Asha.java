package dev.kinglet.tune;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The promotion rule of asynchronous successive halving (ASHA; Li et al., "A System for
 * Massively Parallel Hyperparameter Tuning", MLSys 2020, arXiv 1810.05934), in its stopping
 * form: rungs sit at {@code grace * reduction^k} epochs below the maximum; a trial that reaches
 * a rung continues only if it is among the best {@code max(1, floor(n / reduction))} of the
 * {@code n} results recorded at that rung so far (its own included), else it stops there. No
 * trial waits for others: decisions use what has arrived, so a stopped trial frees its worker at
 * once. The first trial at a rung always continues. Safe for concurrent trials.
 */
public final class Asha {
    private final int[] rungs;
    private final int reduction;
    private final boolean maximize;
    private final List<List<double[]>> results = new ArrayList<>(); // per rung: {trial, value}

    public Asha(int graceEpochs, int reduction, int maxEpochs, boolean maximize) {
        if (graceEpochs < 1 || reduction < 2 || maxEpochs < graceEpochs) {
            throw new IllegalArgumentException("ASHA needs 1 <= grace (" + graceEpochs + ") <= max epochs (" + maxEpochs + ") and reduction >= 2 (" + reduction + ")");
        }
        this.rungs = rungs(graceEpochs, reduction, maxEpochs);
        this.reduction = reduction;
        this.maximize = maximize;
        for (int i = 0; i < rungs.length; i++) results.add(new ArrayList<>());
    }

    /** The epochs at which trials are compared: grace, grace*reduction, ... while below {@code maxEpochs}. */
    public static int[] rungs(int grace, int reduction, int maxEpochs) {
        List<Integer> r = new ArrayList<>();
        for (long e = grace; e < maxEpochs; e *= reduction) r.add((int) e);
        return r.stream().mapToInt(i -> i).toArray();
    }

    public int[] rungs() {
        return rungs.clone();
    }

    /** The rung at {@code epoch}, or -1 if none is there. */
    public int rungAt(int epoch) {
        int k = Arrays.binarySearch(rungs, epoch);
        return k >= 0 ? k : -1;
    }

    /**
     * Records the validation {@code value} of {@code trial} after {@code epoch}; true if it
     * continues. Off a rung it always continues. A NaN value (a diverged trial) stops at its rung.
     */
    public synchronized boolean report(int trial, int epoch, double value) {
        int k = rungAt(epoch);
        if (k < 0) return true;
        List<double[]> at = results.get(k);
        at.add(new double[] {trial, value});
        if (Double.isNaN(value)) return false;
        int keep = Math.max(1, at.size() / reduction);
        int better = 0;
        for (double[] other : at) {
            if (other[0] != trial && !Double.isNaN(other[1]) && (maximize ? other[1] > value : other[1] < value)) better++;
        }
        return better < keep;
    }

    /** Results recorded at rung {@code k}, as {trial, value} pairs in arrival order. */
    public synchronized List<double[]> results(int k) {
        return results.get(k).stream().map(double[]::clone).toList();
    }
}
