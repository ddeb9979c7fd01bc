package dev.kinglet.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import dev.kinglet.data.ImageSet;
import dev.kinglet.train.Callback;
import dev.kinglet.train.Ema;
import dev.kinglet.train.Evaluation;
import dev.kinglet.train.Event;
import dev.kinglet.train.Learner;
import dev.kinglet.train.TrainState;

/**
 * Snapshot ensembles (Huang et al., 2017) from one training run with warm restarts: at the end of
 * every cycle — where the learning rate is lowest — the model's test probabilities (and, with
 * {@code output.saveModels}, the model) are saved as member {@code snapshot-<k>/} of the job
 * directory; {@link #combine} averages them as a deep ensemble's members are averaged
 * ({@link Ensembles}) and writes {@code ensemble.json} into the job directory, so {@code predict}
 * on the job uses the snapshots. With an EMA, a snapshot is of the averaged weights.
 */
final class Snapshots implements Callback {
    static final String PREFIX = "snapshot-";
    private final Learner learner;
    private final Ema ema;
    private final ImageSet test;
    private final Path jobDir;
    private final ModelFiles.Description description;
    private final List<Integer> cycleEnds;

    /** @param ema the job's EMA, or null */
    Snapshots(Learner learner, Ema ema, ImageSet test, Path jobDir, ModelFiles.Description description, List<Integer> cycleEnds) {
        this.learner = learner;
        this.ema = ema;
        this.test = test;
        this.jobDir = jobDir;
        this.description = description;
        this.cycleEnds = List.copyOf(cycleEnds);
    }

    @Override
    public int order() {
        return 15; // after the epoch's metrics line, before its checkpoint: a resumed job never skips a snapshot
    }

    @Override
    public void on(Event event, TrainState s) {
        if (event != Event.AFTER_EPOCH || !cycleEnds.contains(s.epoch())) return;
        Path dir = jobDir.resolve(PREFIX + (cycleEnds.indexOf(s.epoch()) + 1));
        if (ema != null) ema.swapIn();
        try {
            Evaluation e = learner.evaluate(test);
            Files.createDirectories(dir);
            if (description != null) ModelFiles.save(dir, learner.model(), description);
            Ensembles.saveProbabilities(dir, e.probabilities());
        } catch (IOException e) {
            throw new UncheckedIOException("could not save the snapshot of epoch " + s.epoch() + " in " + dir, e);
        } finally {
            if (ema != null) ema.swapOut();
        }
    }

    /** Averages the snapshots into the job directory's ensemble; every cycle's snapshot must be there. */
    Ensembles.Combined combine(String jobId) throws IOException {
        List<String> names = new ArrayList<>();
        List<Path> dirs = new ArrayList<>();
        for (int k = 1; k <= cycleEnds.size(); k++) {
            Path dir = jobDir.resolve(PREFIX + k);
            if (!Files.isRegularFile(dir.resolve(Ensembles.PROBABILITIES))) {
                throw new IOException("snapshot " + k + " (after epoch " + cycleEnds.get(k - 1) + ") is missing in " + jobDir);
            }
            names.add(PREFIX + k);
            dirs.add(dir);
        }
        return Ensembles.combine(jobId, names, dirs, jobDir, test.labels(), test.classes());
    }

    /** Removes the snapshots of an earlier attempt at the job. */
    static void delete(Path jobDir) throws IOException {
        if (!Files.isDirectory(jobDir)) return;
        List<Path> old;
        try (var files = Files.list(jobDir)) {
            old = files.filter(p -> p.getFileName().toString().startsWith(PREFIX)).toList();
        }
        for (Path dir : old) {
            try (var walk = Files.walk(dir)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
            }
        }
        Files.deleteIfExists(jobDir.resolve(Ensembles.INDEX));
    }
}
