package dev.kinglet.run;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

import dev.kinglet.data.Datasets;
import dev.kinglet.data.ImageSet;
import dev.kinglet.dsl.PseudoLabel;
import dev.kinglet.dsl.Recipe;
import dev.kinglet.dsl.RecipeIo;
import dev.kinglet.natives.Device;
import dev.kinglet.rundir.Job;
import dev.kinglet.util.AtomicFiles;
import dev.kinglet.util.Json;

/**
 * Self-training with pseudo-labels ({@code semiSupervised: {type: pseudoLabel}}) for one job. The
 * pool is the job's training part without its labelled subset — by construction never its
 * validation images and never the test split — or the images of {@code semiSupervised.data}
 * (refused if any is a test image, {@link UnlabelledData}), capped at random to {@code pool}. Each
 * round a teacher (the job's recipe: its network, augmentation, loss, EMA and early stopping)
 * trains on the current training set and predicts the pool; per class the pool images it
 * assigns to that class with a probability above the threshold are taken, most confident first,
 * at most {@code perClass}; the next training set is the labelled images and these. The job's
 * own training (checkpoints, techniques, test) then runs on the last set. The outcome is kept in
 * {@code jobs/<id>/pseudo-labels.json}, written whole, so a resumed job trains no teacher again.
 */
final class SelfTraining {
    static final String FILE = "pseudo-labels.json";

    private SelfTraining() {}

    /** One round: the pool it predicted, the pseudo-labels it took and how many of them are right (the pool's true labels are known). */
    record Round(int round, int poolImages, int pseudoLabels, double rate, Double accuracy, Map<String, Integer> perClass,
                 double teacherTestAccuracy, double teacherSeconds) {}

    /**
     * What {@code pseudo-labels.json} holds: the key of the job and settings it was computed for,
     * the pseudo-labelled positions in the job's training part with their labels, and each round.
     */
    record Outcome(String key, PseudoLabel settings, int[] positions, int[] labels, List<Round> rounds) {
        /** For the job's results.json, beside {@code labelled} labelled images: the settings and rounds, not the positions. */
        Map<String, Object> summary(int labelled) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("type", "pseudoLabel");
            m.put("settings", settings);
            m.put("pseudoLabels", positions.length);
            m.put("labelledRepeats", settings.labelledRepeats(labelled, positions.length));
            m.put("rounds", rounds);
            return m;
        }
    }

    /** The student's training set (labelled and pseudo-labelled images, a view of {@code d}'s training part) and how it was made. */
    record Student(ImageSet train, Outcome outcome) implements AutoCloseable {
        @Override
        public void close() {
            train.close();
        }
    }

    /**
     * Runs (or, when {@code jobDir} holds the outcome for this job and recipe, reloads) the
     * rounds of {@code p} and returns the student's training set; the caller closes it.
     */
    static Student run(Recipe r, PseudoLabel p, Job job, JobRunner.JobData d, Datasets.Split split, Path jobDir, Path dataBase, Device device,
                       PrintStream out, boolean terminal, Pretraining.Encoder encoder) throws IOException {
        String key = Datasets.digest(d.train().sha256().getBytes(), RecipeIo.toJson(r).getBytes());
        boolean external = p.data() != null && !p.data().equals(r.data().source());
        try (UnlabelledData.Images source = external ? UnlabelledData.load(p.data(), "semiSupervised.data", r, split, dataBase) : null) {
            ImageSet from = external ? source.set() : d.trainPart();
            Path file = jobDir.resolve(FILE);
            if (Files.isRegularFile(file)) {
                Outcome saved = Json.PRETTY.readValue(file.toFile(), Outcome.class);
                if (saved.key().equals(key)) {
                    out.printf(Locale.ROOT, "job %s: %d pseudo-labels from %s (no teacher trained again)%n", job.id(), saved.positions().length, file);
                    return new Student(student(d, from, external, saved.positions(), saved.labels(),
                            p.labelledRepeats(d.train().size(), saved.positions().length)), saved);
                }
            }
            int[] pool;
            if (external) {
                out.printf(Locale.ROOT, "job %s: semiSupervised.data: %s%n", job.id(), source.what());
                int[] all = new int[from.size()];
                for (int i = 0; i < all.length; i++) all[i] = i;
                pool = draw(all, p.pool(), job.subsetSeed());
            } else {
                pool = pool(d, p.pool(), job.subsetSeed());
            }
            if (pool.length == 0) {
                out.printf(Locale.ROOT, "job %s: semiSupervised: no unlabelled images (the labelled subset is the whole training part); no teacher, no pseudo-labels%n", job.id());
                return new Student(student(d, from, external, new int[0], new int[0], 1), new Outcome(key, p, new int[0], new int[0], List.of()));
            }
            boolean truthKnown = !external || source.labelled();
            List<Round> rounds = new ArrayList<>();
            int[] positions = new int[0], labels = new int[0];
            ImageSet current = null;
            try (ImageSet drawn = from.select(pool); ImageSet relabelled = truthKnown ? null : drawn.unlabelledAs(d.train().classes())) {
                ImageSet poolSet = relabelled == null ? drawn : relabelled; // predicted under the job's classes
                for (int round = 1; round <= p.rounds(); round++) {
                    ImageSet teacherData = current == null ? d.train() : current;
                    float[] probabilities;
                    double testAccuracy, seconds;
                    try (Training t = Training.open(r, teacherData, d.validation(), d.train().classes(), job.initSeed() + 104_729L * round, dataBase, device,
                            out, terminal, job.id() + " teacher " + round, encoder);
                         Techniques weights = Techniques.forTeacher(r, t.learner(), d.validation().size())) {
                        t.learner().add(new Progress(out, terminal));
                        t.fit();
                        weights.finish();
                        seconds = t.learner().state().fitSeconds();
                        probabilities = t.learner().evaluate(poolSet).probabilities();
                        testAccuracy = t.learner().evaluate(split.test()).accuracy();
                    }
                    int[][] chosen = choose(probabilities, d.train().numClasses(), p.threshold(), p.perClass());
                    positions = new int[chosen[0].length];
                    labels = chosen[1];
                    int correct = 0;
                    Map<String, Integer> perClass = new LinkedHashMap<>();
                    for (String c : d.train().classes()) perClass.put(c, 0);
                    for (int i = 0; i < positions.length; i++) {
                        positions[i] = pool[chosen[0][i]];
                        if (truthKnown && from.label(positions[i]) == labels[i]) correct++;
                        perClass.merge(d.train().classes().get(labels[i]), 1, Integer::sum);
                    }
                    Double accuracy = positions.length == 0 || !truthKnown ? null : (double) correct / positions.length;
                    var rd = new Round(round, pool.length, positions.length, (double) positions.length / pool.length, accuracy, perClass, testAccuracy, seconds);
                    rounds.add(rd);
                    out.printf(Locale.ROOT, "job %s: pseudo-labels round %d: %d of %d pool images (%.1f%%) above %.2f%s; teacher test accuracy %.2f%%, trained in %.1f s%n",
                            job.id(), round, positions.length, pool.length, 100 * rd.rate(), p.threshold(),
                            accuracy == null ? "" : String.format(Locale.ROOT, ", %.1f%% of them right", 100 * accuracy), 100 * testAccuracy, seconds);
                    if (current != null) current.close();
                    current = student(d, from, external, positions, labels, p.labelledRepeats(d.train().size(), positions.length));
                }
            } catch (IOException | RuntimeException e) {
                if (current != null) current.close();
                throw e;
            }
            Outcome outcome = new Outcome(key, p, positions, labels, List.copyOf(rounds));
            Files.createDirectories(jobDir);
            AtomicFiles.writeString(file, Json.PRETTY.writeValueAsString(outcome));
            return new Student(current, outcome);
        }
    }

    /**
     * The pool: positions in the job's training part outside its labelled subset, in order, at
     * most {@code cap} of them drawn at random by {@code seed} (0: all).
     */
    static int[] pool(JobRunner.JobData d, int cap, long seed) {
        boolean[] labelled = new boolean[d.trainPart().size()];
        for (int s : d.subset()) labelled[s] = true;
        int[] all = new int[labelled.length - d.subset().length];
        for (int i = 0, j = 0; i < labelled.length; i++) if (!labelled[i]) all[j++] = i;
        return draw(all, cap, seed);
    }

    /** At most {@code cap} of {@code all} (ascending), drawn at random by {@code seed}, in order; all of them for cap 0. */
    static int[] draw(int[] all, int cap, long seed) {
        if (cap == 0 || all.length <= cap) return all;
        var rng = new SplittableRandom(seed ^ 0x5eed_1abe1L);
        for (int i = all.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1), t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        int[] some = Arrays.copyOf(all, cap);
        Arrays.sort(some);
        return some;
    }

    /**
     * Of {@code n = probabilities.length / classes} predictions, per class those whose most probable
     * class it is with probability strictly above {@code threshold}, most confident first (ties by
     * position), at most {@code perClass}: {indices, labels}, grouped by class.
     */
    static int[][] choose(float[] probabilities, int classes, double threshold, int perClass) {
        int n = probabilities.length / classes;
        List<List<Integer>> byClass = new ArrayList<>();
        for (int c = 0; c < classes; c++) byClass.add(new ArrayList<>());
        float[] confidence = new float[n];
        for (int i = 0; i < n; i++) {
            int best = 0;
            for (int c = 1; c < classes; c++) if (probabilities[i * classes + c] > probabilities[i * classes + best]) best = c;
            confidence[i] = probabilities[i * classes + best];
            if (confidence[i] > threshold) byClass.get(best).add(i);
        }
        List<Integer> idx = new ArrayList<>(), lab = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            List<Integer> l = byClass.get(c);
            l.sort((a, b) -> confidence[a] != confidence[b] ? Float.compare(confidence[b], confidence[a]) : Integer.compare(a, b));
            for (int i = 0; i < Math.min(perClass, l.size()); i++) {
                idx.add(l.get(i));
                lab.add(c);
            }
        }
        return new int[][] {idx.stream().mapToInt(Integer::intValue).toArray(), lab.stream().mapToInt(Integer::intValue).toArray()};
    }

    /**
     * The labelled subset with its labels, {@code repeats} times, then the images at {@code positions}
     * of {@code from} with {@code labels}: a view of the training part, or a copy when {@code from}
     * is another source.
     */
    private static ImageSet student(JobRunner.JobData d, ImageSet from, boolean external, int[] positions, int[] labels, int repeats) {
        int s = d.subset().length;
        if (external) {
            int[] again = new int[s * repeats];
            for (int i = 0; i < again.length; i++) again[i] = i % s;
            try (ImageSet labelled = d.train().select(again)) {
                return ImageSet.concat(labelled, from, positions, labels);
            }
        }
        int[] pos = new int[s * repeats + positions.length], lab = new int[pos.length];
        for (int i = 0; i < s * repeats; i++) {
            pos[i] = d.subset()[i % s];
            lab[i] = d.trainPart().label(pos[i]);
        }
        System.arraycopy(positions, 0, pos, s * repeats, positions.length);
        System.arraycopy(labels, 0, lab, s * repeats, labels.length);
        return d.trainPart().relabelled(pos, lab);
    }
}
