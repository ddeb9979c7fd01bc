package dev.kinglet.train;

import java.util.LinkedHashMap;
import java.util.Map;

import org.bytedeco.pytorch.Tensor;

import dev.kinglet.dsl.EarlyStopping;

/**
 * Early stopping on a validation metric (accuracy, balanced accuracy: higher is better; loss:
 * lower is better; on a regression job the loss, or for the other two the mean R² of the targets): after every validation, a better score than all before keeps a copy of the
 * weights just validated (the averaged ones when an {@link Ema} is on); {@code patience} epochs
 * in a row without one stop the fit. {@link #restoreBest()} puts the best weights back at the end.
 * The best weights, score and counters are part of every checkpoint.
 */
public final class EarlyStopper implements Callback, Checkpointed, AutoCloseable {
    private final Learner learner;
    private final EarlyStopping settings;
    private Map<String, Tensor> live;
    private WeightCopy best;
    private double bestScore = Double.NaN;
    private int bestEpoch, stale, stoppedAfter;
    private boolean regression;

    public EarlyStopper(Learner learner, EarlyStopping settings) {
        this.learner = learner;
        this.settings = settings;
    }

    @Override
    public int order() {
        return 0; // before Ema swaps the training weights back after validation
    }

    @Override
    public void on(Event event, TrainState s) {
        if (event != Event.AFTER_VALIDATE) return;
        regression = s.regression();
        double score = s.regression() ? score(s.regressionValidation()) : score(s.validation());
        if (!Double.isNaN(score) && (bestEpoch == 0 || (settings.metric().equals("loss") ? score < bestScore : score > bestScore))) {
            keep();
            bestScore = score;
            bestEpoch = s.epoch();
            stale = 0;
        } else if (++stale >= settings.patience()) {
            stoppedAfter = s.epoch();
            s.stop();
        }
    }

    /** A regression job's score: its validation loss for {@code metric: loss}, else its mean R² over the targets (higher is better, as accuracy). */
    private double score(RegressionEvaluation v) {
        return settings.metric().equals("loss") ? v.loss() : v.meanR2();
    }

    /** The metric as scored: {@code r2} for a regression job's accuracy or balanced accuracy. */
    private String scored() {
        return regression && !settings.metric().equals("loss") ? "r2" : settings.metric();
    }

    private double score(Evaluation v) {
        return switch (settings.metric()) {
            case "loss" -> v.loss();
            case "balancedAccuracy" -> v.balancedAccuracy();
            default -> v.accuracy();
        };
    }

    private void keep() {
        if (live == null) live = learner.model().state();
        if (best == null) best = new WeightCopy(live);
        else best.copyFrom(live);
    }

    /** Puts the best weights validated into the model (nothing when no epoch was validated). */
    public void restoreBest() {
        if (best != null) best.copyTo(live);
    }

    /** The epoch whose weights were best (0: none validated yet). */
    public int bestEpoch() {
        return bestEpoch;
    }

    /** The epoch after which patience ran out (0: it never did). */
    public int stoppedAfter() {
        return stoppedAfter;
    }

    /** What a job's results.json records. */
    public Map<String, Object> summary() {
        Map<String, Object> m = new LinkedHashMap<>();
        String metric = scored();
        m.put("metric", metric);
        m.put("patience", settings.patience());
        m.put("bestEpoch", bestEpoch);
        if (bestEpoch > 0) m.put("bestValidation" + Character.toUpperCase(metric.charAt(0)) + metric.substring(1), bestScore);
        m.put("stoppedEarly", stoppedAfter > 0);
        if (stoppedAfter > 0) m.put("stoppedAfterEpoch", stoppedAfter);
        return m;
    }

    @Override
    public String checkpointName() {
        return "earlyStopping";
    }

    @Override
    public Map<String, Tensor> checkpointTensors() {
        return best == null ? Map.of() : best.tensors();
    }

    @Override
    public Map<String, Double> checkpointValues() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("bestEpoch", (double) bestEpoch);
        if (bestEpoch > 0) m.put("bestScore", bestScore);
        m.put("stale", (double) stale);
        m.put("stoppedAfter", (double) stoppedAfter);
        return m;
    }

    @Override
    public void restoreCheckpoint(Map<String, Tensor> tensors, Map<String, Double> values) {
        bestEpoch = values.get("bestEpoch").intValue();
        bestScore = bestEpoch > 0 ? values.get("bestScore") : Double.NaN;
        stale = values.get("stale").intValue();
        stoppedAfter = values.get("stoppedAfter").intValue();
        if (bestEpoch > 0) {
            keep();
            best.load(tensors, "early stopping's best weights");
        }
        if (stoppedAfter > 0) learner.state().stop();
    }

    @Override
    public void close() {
        if (best != null) best.close();
        if (live != null) live.values().forEach(Tensor::close);
    }
}
