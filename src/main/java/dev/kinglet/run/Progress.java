package dev.kinglet.run;

import java.io.PrintStream;
import java.util.Locale;

import dev.kinglet.train.Callback;
import dev.kinglet.train.Event;
import dev.kinglet.train.TrainState;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Shows training progress: a live bar with loss and throughput on a terminal, one plain line
 * per epoch otherwise (logs, CI, pipes).
 */
public final class Progress implements Callback {
    private final PrintStream out;
    private final boolean terminal;
    private final String label;
    private ProgressBar bar;

    public Progress(PrintStream out, boolean terminal) {
        this(out, terminal, "");
    }

    /** Progress whose lines start with {@code label} (e.g. {@code "pretrain: "}). */
    public Progress(PrintStream out, boolean terminal, String label) {
        this.out = out;
        this.terminal = terminal;
        this.label = label;
    }

    /** True when standard output is an interactive terminal. */
    public static boolean stdoutIsTerminal() {
        var console = System.console();
        return console != null && console.isTerminal();
    }

    private static String validation(TrainState s) {
        if (s.reconstructionValidation() != null) return String.format(Locale.ROOT, "  val-reconstruction %.4f", s.reconstructionValidation());
        if (s.regressionValidation() != null) {
            return String.format(Locale.ROOT, "  val-mse %.4f  val-r2 %.3f", s.regressionValidation().loss(), s.regressionValidation().meanR2());
        }
        return s.validation() == null ? "" : String.format(Locale.ROOT, "  val-loss %.4f  val-acc %.3f", s.validation().loss(), s.validation().accuracy());
    }

    @Override
    public int order() {
        return 100;
    }

    @Override
    public void on(Event event, TrainState s) {
        switch (event) {
            case BEFORE_EPOCH -> {
                if (terminal) {
                    bar = new ProgressBarBuilder().setTaskName(String.format(Locale.ROOT, "%sepoch %d/%d", label, s.epoch(), s.epochs()))
                            .setInitialMax(s.stepsPerEpoch()).setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
                            .setConsumer(new ConsoleProgressBarConsumer(out)).setUpdateIntervalMillis(200)
                            .continuousUpdate().build();
                }
            }
            case AFTER_STEP -> {
                if (bar != null) {
                    bar.stepTo(s.stepInEpoch());
                    bar.setExtraMessage(String.format(Locale.ROOT, "loss %.4f  %.0f img/s", s.epochLoss(), s.imagesPerSecond()));
                }
            }
            case AFTER_EPOCH -> {
                if (bar != null) {
                    bar.setExtraMessage(String.format(Locale.ROOT, "loss %.4f%s  %.0f img/s", s.epochLoss(), validation(s), s.imagesPerSecond()));
                    bar.close();
                    bar = null;
                } else {
                    out.printf(Locale.ROOT, "%sepoch %d/%d  loss %.4f%s%s  %.0f img/s  %.1f s%n", label, s.epoch(), s.epochs(), s.epochLoss(),
                            !s.classifies() ? "" : String.format(Locale.ROOT, "  train-acc %.3f", s.epochAccuracy()), validation(s), s.imagesPerSecond(), s.epochSeconds());
                }
            }
            case BEFORE_FIT, BEFORE_STEP, BEFORE_VALIDATE, AFTER_VALIDATE, AFTER_FIT -> { }
        }
    }
}
