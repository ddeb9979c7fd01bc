package dev.kinglet.tune;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import dev.kinglet.dsl.Tune;
import dev.kinglet.util.AtomicFiles;
import dev.kinglet.util.Json;

/**
 * One hyper-parameter search: trial {@code i} trains the configuration at point {@code i} of the
 * sampler, reports its validation metrics after every epoch, and is stopped by {@link Asha} at a
 * rung where it is not among the best. Up to {@code tune.workers} trials run at once, each on its
 * own thread; a worker whose trial stops takes the next one straight away. No trial starts once
 * {@code tune.maxMinutes} have passed (running ones finish). Every ended trial is appended to
 * {@code trials.jsonl}; a search started again in the same directory keeps those trials (their
 * rung results count again, in the order they arrived) and runs the rest, so a trial cut off by
 * a kill runs again from its start.
 */
public final class Search {
    private Search() {}

    /** Trains one trial; what a real run and a test's fake objective both provide. */
    public interface Trainer {
        /**
         * Trains {@code config} for up to {@code epochs} epochs, calling {@code listener} after each
         * one, and stops after the first epoch for which it returns false.
         */
        void train(int trial, Map<String, Double> config, int epochs, EpochListener listener) throws Exception;
    }

    public interface EpochListener {
        boolean after(int epoch, Metrics validation);
    }

    /** Validation metrics after one epoch. */
    public record Metrics(double accuracy, double balancedAccuracy, double loss) {
        public double get(String metric) {
            return switch (metric) {
                case "accuracy" -> accuracy;
                case "balancedAccuracy" -> balancedAccuracy;
                case "loss" -> loss;
                default -> throw new IllegalArgumentException("no metric " + metric);
            };
        }
    }

    /** One epoch of a trial's validation curve (null for a metric that was not a number). */
    public record Point(int epoch, Double accuracy, Double balancedAccuracy, Double loss) {
        static Point of(int epoch, Metrics m) {
            return new Point(epoch, finite(m.accuracy()), finite(m.balancedAccuracy()), finite(m.loss()));
        }

        double get(String metric) {
            Double v = switch (metric) {
                case "accuracy" -> accuracy;
                case "balancedAccuracy" -> balancedAccuracy;
                default -> loss;
            };
            return v == null ? Double.NaN : v;
        }

        private static Double finite(double v) {
            return Double.isFinite(v) ? v : null;
        }
    }

    /**
     * An ended trial: its configuration, validation curve, epochs trained, the highest rung it
     * reached ({@code rungs.length}: it trained to the end), how it ended ({@code finished},
     * {@code stopped} at that rung, or {@code failed}), its metric after its last epoch, and when
     * it ended on the search's clock (seconds, earlier sessions included).
     */
    public record TrialRecord(int trial, Map<String, Double> config, List<Point> curve, int epochs, int rung, String state, Double value,
                              String error, double seconds, double endedAtSeconds) {}

    /** The search's trials (by index), the best, and why it ended: {@code trials} (all ran) or {@code maxMinutes}. */
    public record Outcome(List<TrialRecord> trials, TrialRecord best, int[] rungs, String endedBy, int keptFromEarlier, double searchSeconds) {}

    public static Outcome run(Tune tune, int maxEpochs, Space space, long seed, Path dir, Trainer trainer, PrintStream out, String label)
            throws IOException {
        Files.createDirectories(dir);
        Path log = dir.resolve("trials.jsonl");
        Map<Integer, TrialRecord> ended = new TreeMap<>();
        List<TrialRecord> kept = readKept(log, tune.trials());
        AtomicFiles.writeString(log, kept.stream().map(Search::line).collect(Collectors.joining()));
        Asha asha = new Asha(tune.graceEpochs(), tune.reduction(), maxEpochs, tune.maximize());
        for (TrialRecord t : kept) {
            ended.put(t.trial(), t);
            for (Point p : t.curve()) asha.report(t.trial(), p.epoch(), p.get(tune.metric()));
        }
        if (!kept.isEmpty()) out.printf(Locale.ROOT, "tune %s: %d trial(s) ended in an earlier session, kept%n", label, kept.size());
        Sampler sampler = Sampler.of(tune.sampler(), space.dimensions(), seed);
        var state = new State(tune, kept.stream().mapToDouble(TrialRecord::endedAtSeconds).max().orElse(0));
        for (int i = 0; i < tune.trials(); i++) if (!ended.containsKey(i)) state.pending.add(i);

        ExecutorService pool = Executors.newFixedThreadPool(tune.workers(), Thread.ofPlatform().name("tune-" + label + "-", 0).daemon(true).factory());
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < tune.workers(); w++) {
                workers.add(pool.submit(() -> {
                    for (Integer i = state.next(); i != null; i = state.next()) {
                        TrialRecord r = runTrial(i, space.config(sampler.point(i)), maxEpochs, tune, asha, trainer, state);
                        synchronized (ended) {
                            ended.put(i, r);
                            append(log, line(r));
                        }
                        out.println(describe(label, r, tune));
                    }
                    return null;
                }));
            }
            for (Future<?> f : workers) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    state.abort();
                    if (e.getCause() instanceof IOException io) throw io;
                    if (e.getCause() instanceof RuntimeException re) throw re;
                    throw new IllegalStateException("tune " + label + ": a worker failed", e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    state.abort();
                    throw new IOException("tune " + label + ": interrupted", e);
                }
            }
        } finally {
            pool.shutdownNow();
        }
        List<TrialRecord> all = List.copyOf(ended.values());
        TrialRecord best = best(all, tune);
        if (best == null) {
            String first = all.stream().filter(t -> t.error() != null).map(TrialRecord::error).findFirst().orElse("no trial ran");
            throw new IllegalStateException("tune " + label + ": no trial gave a validation result; first error: " + first);
        }
        return new Outcome(all, best, asha.rungs(), state.budgetEnded ? "maxMinutes" : "trials", kept.size(), state.now());
    }

    /** Which trial runs next, and the search's clock. */
    private static final class State {
        final Deque<Integer> pending = new ArrayDeque<>();
        final Tune tune;
        final double offset;
        final long start = System.nanoTime();
        boolean budgetEnded, aborted;

        State(Tune tune, double offset) {
            this.tune = tune;
            this.offset = offset;
        }

        double now() {
            return offset + (System.nanoTime() - start) / 1e9;
        }

        synchronized Integer next() {
            if (aborted || pending.isEmpty()) return null;
            if (tune.maxMinutes() != null && now() >= tune.maxMinutes() * 60) {
                budgetEnded = true;
                return null;
            }
            return pending.poll();
        }

        synchronized void abort() {
            aborted = true;
        }
    }

    private static TrialRecord runTrial(int i, Map<String, Double> config, int maxEpochs, Tune tune, Asha asha, Trainer trainer, State state) {
        List<Point> curve = new ArrayList<>();
        int[] stoppedAt = {-1};
        long t0 = System.nanoTime();
        String error = null;
        try {
            trainer.train(i, config, maxEpochs, (epoch, m) -> {
                curve.add(Point.of(epoch, m));
                boolean go = asha.report(i, epoch, m.get(tune.metric()));
                if (!go) stoppedAt[0] = epoch;
                return go;
            });
        } catch (Exception e) {
            error = e.getClass().getSimpleName() + ": " + e.getMessage();
        }
        int epochs = curve.isEmpty() ? 0 : curve.getLast().epoch();
        int[] rungs = asha.rungs();
        int rung = -1;
        while (rung + 1 < rungs.length && rungs[rung + 1] <= epochs) rung++;
        if (epochs >= maxEpochs) rung = rungs.length;
        String how = error != null ? "failed" : stoppedAt[0] > 0 ? "stopped" : "finished";
        Double value = curve.isEmpty() ? null : curve.getLast().get(tune.metric());
        if (value != null && value.isNaN()) value = null;
        return new TrialRecord(i, config, List.copyOf(curve), epochs, rung, how, value, error, (System.nanoTime() - t0) / 1e9, state.now());
    }

    /** The trial that trained longest (highest rung), best metric among those, earliest on ties; null if none has a result. */
    static TrialRecord best(List<TrialRecord> trials, Tune tune) {
        Comparator<TrialRecord> byValue = Comparator.comparingDouble(TrialRecord::value);
        if (tune.maximize()) byValue = byValue.reversed();
        return trials.stream()
                .filter(t -> !t.state().equals("failed") && t.value() != null)
                .sorted(Comparator.comparingInt(TrialRecord::epochs).reversed().thenComparing(byValue).thenComparingInt(TrialRecord::trial))
                .findFirst().orElse(null);
    }

    private static String describe(String label, TrialRecord r, Tune tune) {
        String config = format(r.config());
        String result = r.value() == null ? "" : String.format(Locale.ROOT, ", validation %s %.4f", tune.metric(), r.value());
        String how = switch (r.state()) {
            case "failed" -> "failed after " + r.epochs() + " epoch(s): " + r.error();
            case "stopped" -> "stopped at epoch " + r.epochs();
            default -> "trained " + r.epochs() + " epoch(s)";
        };
        return String.format(Locale.ROOT, "tune %s: trial %d/%d %s%s (%.1f s) %s", label, r.trial() + 1, tune.trials(), how, result, r.seconds(), config);
    }

    /** {@code {train.optimizer.lr=0.002081, train.batchSize=32}}: four significant digits, whole numbers as such. */
    public static String format(Map<String, Double> config) {
        return config.entrySet().stream()
                .map(e -> e.getKey() + "=" + (e.getValue() == Math.rint(e.getValue()) && Math.abs(e.getValue()) < 1e9
                        ? String.valueOf(e.getValue().longValue()) : String.format(Locale.ROOT, "%.4g", e.getValue())))
                .collect(Collectors.joining(", ", "{", "}"));
    }

    private static String line(TrialRecord r) {
        return Json.LINE.writeValueAsString(r) + "\n";
    }

    /** The trials recorded in {@code log} (index below {@code trials}, first record of each); a line cut off by a kill is dropped. */
    static List<TrialRecord> readKept(Path log, int trials) throws IOException {
        if (!Files.isRegularFile(log)) return List.of();
        Map<Integer, TrialRecord> kept = new LinkedHashMap<>();
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            if (line.isBlank()) continue;
            TrialRecord r;
            try {
                r = Json.LINE.readValue(line, TrialRecord.class);
            } catch (RuntimeException torn) {
                continue; // the line the kill cut off
            }
            if (r.trial() >= 0 && r.trial() < trials) kept.putIfAbsent(r.trial(), r);
        }
        return List.copyOf(kept.values());
    }

    private static void append(Path log, String line) throws IOException {
        try (FileChannel ch = FileChannel.open(log, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ch.write(ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8)));
            ch.force(true);
        }
    }
}
