package dev.kinglet.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.bytedeco.pytorch.Tensor;

/**
 * The learning-rate range test (Smith, 2017) as fastai's {@code lr_find}: from the learner's
 * current weights, train for up to {@code steps} steps with the rate growing exponentially from
 * {@code start} to {@code end}, record the loss smoothed by a debiased exponential moving average
 * (beta 0.98), and stop once it exceeds 4 times its minimum. The network's weights and buffers
 * are put back afterwards; the learner's optimizer has taken the steps, so the learner is spent.
 */
public final class LrFinder {
    public static final double BETA = 0.98, DIVERGED = 4;

    private LrFinder() {}

    /**
     * Learning rates and smoothed losses of every step taken, and two suggestions on the part
     * fastai suggests from (the first tenth and the last 5 points left out): {@code valley}, a
     * rate a little past the start of the longest descending stretch of the curve (fastai's
     * default), and {@code steep}, where the loss falls fastest against log lr.
     */
    public record Result(double[] lrs, double[] losses, double valley, double steep, boolean diverged) {}

    /** Runs the test on {@code learner}; the usual bounds are 1e-7 to 10 over 100 steps. */
    public static Result run(Learner learner, double start, double end, int steps) {
        if (!(start > 0 && end > start && steps >= 2)) throw new IllegalArgumentException("lr-find needs 0 < start < end and at least 2 steps");
        List<Double> lrs = new ArrayList<>(), losses = new ArrayList<>();
        boolean[] diverged = {false};
        Callback probe = new Callback() {
            double average, best = Double.POSITIVE_INFINITY;
            int taken;

            @Override
            public int order() {
                return 50;
            }

            @Override
            public void on(Event event, TrainState s) {
                if (event == Event.BEFORE_STEP) {
                    learner.setLearningRate(start * Math.pow(end / start, (double) taken / steps));
                } else if (event == Event.AFTER_STEP) {
                    taken++;
                    average = BETA * average + (1 - BETA) * s.stepLoss();
                    double smooth = average / (1 - Math.pow(BETA, taken));
                    lrs.add(s.lr());
                    losses.add(smooth);
                    best = Math.min(best, smooth);
                    if (smooth > DIVERGED * best) {
                        diverged[0] = true;
                        throw new Done();
                    }
                    if (taken >= steps) throw new Done();
                }
            }
        };
        Map<String, Tensor> live = learner.model().state();
        try (WeightCopy before = new WeightCopy(live)) {
            learner.add(probe);
            try {
                learner.fit(Math.ceilDiv(steps, learner.stepsPerEpoch()) + 1);
            } catch (Done done) {
                // the probe ends the fit mid-epoch, as fastai's CancelFitException
            } catch (Learner.NonFiniteLossException e) {
                diverged[0] = true;
            } finally {
                before.copyTo(live);
            }
        } finally {
            live.values().forEach(Tensor::close);
        }
        double[] l = lrs.stream().mapToDouble(d -> d).toArray(), y = losses.stream().mapToDouble(d -> d).toArray();
        if (l.length < 2) throw new IllegalStateException("the loss diverged after " + l.length + " step(s): too soon to suggest a rate; lower the start of the range");
        int from = steps / 10, to = l.length - 5;
        if (to - from < 2) {
            from = 0;
            to = l.length; // diverged early: suggest from every point there is
        }
        double[] lr = java.util.Arrays.copyOfRange(l, from, to), loss = java.util.Arrays.copyOfRange(y, from, to);
        return new Result(l, y, lr[valley(loss)], lr[steep(lr, loss)], diverged[0]);
    }

    /**
     * fastai's valley: the longest stretch of ever-lower losses (a longest decreasing subsequence)
     * and the point about halfway along it (a third plus a sixth of its span).
     */
    static int valley(double[] loss) {
        int n = loss.length, start = 0, endAt = 0;
        int[] run = new int[n];
        java.util.Arrays.fill(run, 1);
        for (int i = 1; i < n; i++) {
            for (int j = 0; j < i; j++) {
                if (loss[i] < loss[j] && run[i] < run[j] + 1) run[i] = run[j] + 1;
            }
            if (run[endAt] < run[i]) {
                endAt = i;
                start = endAt - run[endAt];
            }
        }
        double sections = (endAt - start) / 3.0;
        return Math.max(0, Math.min(n - 1, start + (int) sections + (int) (sections / 2)));
    }

    /** Index of the steepest descent: the most negative slope of loss against log lr (the left point of the pair). */
    static int steep(double[] lr, double[] loss) {
        int best = 0;
        double min = Double.POSITIVE_INFINITY;
        for (int i = 0; i + 1 < lr.length; i++) {
            double slope = (loss[i + 1] - loss[i]) / (Math.log(lr[i + 1]) - Math.log(lr[i]));
            if (slope < min) {
                min = slope;
                best = i;
            }
        }
        return best;
    }

    /** Ends the probe's fit. */
    private static final class Done extends RuntimeException {
        Done() {
            super(null, null, false, false);
        }
    }
}
