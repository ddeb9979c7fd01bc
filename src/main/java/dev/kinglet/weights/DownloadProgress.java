package dev.kinglet.weights;

import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;

import dev.kinglet.weights.WeightRegistry.Entry;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Shows a download: a live bar in MiB with speed on a terminal, otherwise one line as it starts
 * and one per 10% (logs, CI, pipes). Use {@code run.Progress.stdoutIsTerminal()} for {@code terminal}.
 */
public final class DownloadProgress implements WeightStore.Listener {
    private static final long MIB = 1 << 20;

    private final PrintStream out;
    private final boolean terminal;
    private ProgressBar bar;
    private String file;
    private long total;
    private long tenths;

    public DownloadProgress(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    @Override
    public void started(Entry entry, URI url, long from, long total) {
        this.file = entry.fileName();
        this.total = total;
        if (terminal) {
            bar = new ProgressBarBuilder().setTaskName(file).setInitialMax(total).setUnit("MiB", MIB).showSpeed()
                    .startsFrom(from, Duration.ZERO).setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
                    .setConsumer(new ConsoleProgressBarConsumer(out)).setUpdateIntervalMillis(200).continuousUpdate().build();
        } else {
            tenths = total > 0 ? from * 10 / total : 0;
            out.printf(Locale.ROOT, "downloading %s from %s%s%s%n", file, url, total < 0 ? "" : String.format(Locale.ROOT, " (%.1f MiB)", (double) total / MIB),
                    from > 0 ? String.format(Locale.ROOT, ", resuming at %.1f MiB", (double) from / MIB) : "");
        }
    }

    @Override
    public void transferred(long bytes) {
        if (bar != null) {
            bar.stepTo(bytes);
        } else if (total > 0 && bytes * 10 / total > tenths) {
            tenths = bytes * 10 / total;
            out.printf(Locale.ROOT, "%s: %d%% (%.1f of %.1f MiB)%n", file, tenths * 10, (double) bytes / MIB, (double) total / MIB);
        }
    }

    @Override
    public void finished(boolean complete) {
        if (bar != null) {
            bar.close();
            bar = null;
        } else if (!complete) {
            out.printf(Locale.ROOT, "%s: download stopped%n", file);
        }
    }
}
