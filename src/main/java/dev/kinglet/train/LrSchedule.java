package dev.kinglet.train;

import dev.kinglet.dsl.OneCycle;
import dev.kinglet.dsl.Schedule;

/** Learning rate as a multiple of the peak rate, for each step; then a callback that sets it. */
public final class LrSchedule implements Callback {
    private final Schedule schedule;
    private double peak;
    private final Learner learner;
    private long start = -1, length;

    public LrSchedule(Schedule schedule, double peak, Learner learner) {
        this.schedule = schedule;
        this.peak = peak;
        this.learner = learner;
    }

    /**
     * Runs the schedule afresh with peak {@code peak} over the next {@code epochs} epochs, e.g.
     * each stage of fine-tuning; before the first call the schedule spans each {@code fit}.
     */
    public LrSchedule restart(double peak, int epochs) {
        this.peak = peak;
        this.start = learner.state().step();
        this.length = (long) epochs * learner.stepsPerEpoch();
        return this;
    }

    @Override
    public int order() {
        return -10;
    }

    @Override
    public void on(Event event, TrainState s) {
        if (event != Event.BEFORE_STEP) return;
        long from = start >= 0 ? start : s.fitStartStep();
        long total = start >= 0 ? length : (long) s.fitEpochs() * s.stepsPerEpoch();
        learner.setLearningRate(peak * factor(schedule, s.step() - from, total, s.stepsPerEpoch()));
    }

    /**
     * The epochs (1-based, counted from the schedule's start) after which a cycle of {@code r}
     * ends, up to {@code epochs}: where the rate is lowest and a snapshot ensemble takes a member.
     */
    public static java.util.List<Integer> cycleEnds(Schedule.CosineRestarts r, int epochs) {
        java.util.List<Integer> ends = new java.util.ArrayList<>();
        for (long end = r.cycleEpochs(), length = r.cycleEpochs(); end <= epochs; length *= r.multiplier(), end += length) ends.add((int) end);
        return ends;
    }

    /** fastai's cosine interpolation from {@code start} to {@code end} at {@code pos} in [0, 1]. */
    static double cos(double start, double end, double pos) {
        return start + (1 + Math.cos(Math.PI * (1 - pos))) * (end - start) / 2;
    }

    /**
     * The multiplier of the peak rate at {@code step} (0-based, the step about to run) of
     * {@code total} steps with {@code perEpoch} steps per epoch.
     */
    public static double factor(Schedule schedule, long step, long total, int perEpoch) {
        double pos = total <= 1 ? 0 : (double) step / total;
        double epoch = (double) step / perEpoch;
        return switch (schedule) {
            case Schedule.Constant c -> 1.0;
            case OneCycle o -> pos < o.pctStart()
                    ? cos(1 / o.divFactor(), 1, pos / o.pctStart())
                    : cos(1, 1 / (o.divFactor() * o.finalDivFactor()), (pos - o.pctStart()) / (1 - o.pctStart()));
            case Schedule.Cosine c -> {
                double warm = c.warmupEpochs() * perEpoch;
                if (step < warm) yield (step + 1) / warm;
                double rest = Math.max(1, total - warm);
                yield cos(1, c.minLrFactor(), Math.min(1, (step - warm) / rest));
            }
            case Schedule.CosineRestarts r -> {
                double length = r.cycleEpochs(), start = 0;
                while (epoch >= start + length) {
                    start += length;
                    length *= r.multiplier();
                }
                yield cos(1, r.minLrFactor(), (epoch - start) / length);
            }
            case Schedule.Step st -> Math.pow(st.gamma(), Math.floor(epoch / st.everyEpochs()));
        };
    }
}
