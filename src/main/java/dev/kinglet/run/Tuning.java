package dev.kinglet.run;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.bytedeco.pytorch.global.torch;

import dev.kinglet.data.Datasets;
import dev.kinglet.data.ImageSet;
import dev.kinglet.data.TableEncoder;
import dev.kinglet.data.Splits;
import dev.kinglet.dsl.Data;
import dev.kinglet.dsl.Holdout;
import dev.kinglet.dsl.KFold;
import dev.kinglet.dsl.Recipe;
import dev.kinglet.dsl.RecipeException;
import dev.kinglet.dsl.Tune;
import dev.kinglet.natives.NativeRuntime;
import dev.kinglet.rundir.Job;
import dev.kinglet.train.Callback;
import dev.kinglet.train.Evaluation;
import dev.kinglet.train.Event;
import dev.kinglet.train.TrainState;
import dev.kinglet.tune.Asha;
import dev.kinglet.tune.Sampler;
import dev.kinglet.tune.Search;
import dev.kinglet.tune.Space;
import dev.kinglet.util.AtomicFiles;
import dev.kinglet.util.Json;

/**
 * The searches of a run. Every variant whose recipe has a {@code tune} section is searched once
 * per learning-curve point, before any job runs, on the labelled training images of that point
 * (fold 0, curve seed 0): a stratified {@code tune.validation} share of them scores the trials,
 * the rest trains them; the test split is never read. The search of {@code <variant>} at
 * {@code <point>} writes {@code tune/<variant>/<point>/trials.jsonl} and {@code best.json}; the
 * variant's jobs at that point then train with the best configuration on all its labelled
 * images (the search's train + validation), over every seed, fold and member as usual. A search
 * with a {@code best.json} is not run again; one without continues from its {@code trials.jsonl}.
 */
public final class Tuning {
    /** A finished search: what {@code best.json} holds. */
    public record Searched(String variant, String point, String metric, double value, int trial, Map<String, Double> config,
                           int epochs, int maxEpochs, int[] rungs, int trialsRun, int finished, int stopped, int failed, String endedBy,
                           double searchSeconds, int trainImages, int validationImages, Tune tune, Integer folds, String scoredBy, String warning) {}

    private final Map<String, Searched> searches;
    private final Map<String, Recipe> finals = new LinkedHashMap<>();
    private final List<String> untuned;

    private Tuning(Map<String, Searched> searches, List<String> untuned) {
        this.searches = searches;
        this.untuned = untuned;
    }

    /** Runs (or resumes, or reads back) every search of {@code plan}; a plan without {@code tune} returns at once. */
    public static Tuning run(Plan plan, Path runDir, SplitSource data, NativeRuntime.Info info, Runner.Options o, PrintStream out) throws IOException {
        Map<String, Space> spaces = new LinkedHashMap<>();
        List<String> untuned = new ArrayList<>();
        for (var e : plan.variants().entrySet()) {
            Recipe r = e.getValue();
            if (r.tune() == null) {
                untuned.add(e.getKey());
                continue;
            }
            try {
                Space space = Space.of(r);
                space.checkBounds(r);
                Sampler.of(r.tune().sampler(), space.dimensions(), r.seed());
                int max = maxEpochs(r);
                if (r.tune().graceEpochs() != null && r.tune().graceEpochs() > max) {
                    throw new RecipeException("tune.graceEpochs", "is " + r.tune().graceEpochs() + " but trials train at most " + max + " epochs (tune.epochs, else train.epochs)");
                }
                spaces.put(e.getKey(), space);
            } catch (RecipeException x) {
                throw e.getKey().equals("base") ? x : new RecipeException(x.path(), x.getMessage().substring(x.path().length() + 2) + " (in variant '" + e.getKey() + "')", x);
            }
        }
        Map<String, Searched> searches = new LinkedHashMap<>();
        if (spaces.isEmpty()) return new Tuning(searches, untuned);
        for (var e : spaces.entrySet()) {
            String variant = e.getKey();
            Recipe r = plan.variants().get(variant);
            List<Job> firsts = new ArrayList<>();
            for (Job j : plan.jobs()) {
                if (j.variant().equals(variant) && firsts.stream().noneMatch(f -> f.point().equals(j.point()))) firsts.add(j);
            }
            for (Job job : firsts) {
                Path dir = runDir.resolve("tune").resolve(variant).resolve(job.point());
                Searched s = readBest(dir);
                if (s != null) {
                    out.printf(Locale.ROOT, "tune %s@%s: already searched, best kept (%s)%n", variant, job.point(), dir.resolve("best.json"));
                } else {
                    s = search(r, e.getValue(), variant, job, dir, data, info, o, out);
                }
                searches.put(key(variant, job.point()), s);
            }
        }
        Tuning t = new Tuning(searches, untuned);
        out.println("tune: " + t.budgetNote());
        return t;
    }

    private static int maxEpochs(Recipe r) {
        return r.tune().epochs() != null ? r.tune().epochs() : r.train().epochs();
    }

    private static String key(String variant, String point) {
        return variant + "@" + point;
    }

    private static Searched search(Recipe r, Space space, String variant, Job job, Path dir, SplitSource data, NativeRuntime.Info info,
                                   Runner.Options o, PrintStream out) throws IOException {
        Tune tune = r.tune();
        String label = key(variant, job.point());
        Datasets.Split split = data.get(r.data(), r.seed());
        List<String> classNames = split.train().classes();
        int classes = classNames.size();
        // the labelled images of this point exactly as the job's (fold 0, curve seed 0), then split once more
        Splits.Fold fold = Splits.fold(r.data().split(), split.train().labels(), classes, job.fold(), job.splitSeed());
        try (ImageSet trainPart = split.train().select(fold.train());
             ImageSet labelled = trainPart.select(Splits.subset(job.subset(), trainPart.labels(), classes, job.subsetSeed()))) {
            int k = tune.foldsFor(labelled.size());
            List<Splits.Fold> folds = new ArrayList<>();
            for (int f = 0; f < k; f++) {
                folds.add(Splits.fold(k == 1 ? new Holdout(tune.validation(), 1) : new KFold(k, 1), labelled.labels(), classes, f, job.splitSeed() ^ 0x74756E65L));
            }
            if (folds.stream().anyMatch(f -> f.validation().length == 0 || f.train().length == 0)) {
                throw new RecipeException(k == 1 ? "tune.validation" : "tune.folds", "leaves a fold without training or validation images of the " + labelled.size()
                        + " labelled at " + job.point() + (k == 1 ? ": each class needs at least 2 labelled images" : ": use fewer folds, e.g. tune.folds: 2"));
            }
            List<ImageSet> trains = new ArrayList<>(), validations = new ArrayList<>();
            try {
                for (Splits.Fold f : folds) {
                    ImageSet tr = labelled.select(f.train()), va = labelled.select(f.validation());
                    if (tr.isTable()) { // a table's encoding is fitted on each fold's training rows, as a job's is
                        TableEncoder encoder = TableEncoder.fit(tr);
                        try (ImageSet rawTrain = tr; ImageSet rawValidation = va) {
                            tr = encoder.encode(rawTrain);
                            va = encoder.encode(rawValidation);
                        }
                    }
                    trains.add(tr);
                    validations.add(va);
                }
                int trainImages = trains.get(0).size(), validationImages = validations.stream().mapToInt(ImageSet::size).sum();
                // a step budget becomes the trials' epochs on the search's own training images (at the recipe's batch size)
                int stepsPerEpoch = dev.kinglet.data.Loader.batches(trainImages, r.train().batchSize(), true);
                Recipe budgeted = r.withTrain(r.train().forStepsPerEpoch(stepsPerEpoch));
                Tune resolved = tune.atStepsPerEpoch(stepsPerEpoch);
                int max = maxEpochs(budgeted);
                if (resolved.graceEpochs() > max) {
                    throw new RecipeException("tune.graceSteps", "is " + tune.graceSteps() + " steps, " + resolved.graceEpochs() + " epochs of " + stepsPerEpoch
                            + " steps, but trials train at most " + max + " epochs");
                }
                String scoredBy = k == 1 ? validationImages + " validation images (tune.validation " + tune.validation() + " of the " + labelled.size() + " labelled)"
                        : k + "-fold cross-validation on the " + labelled.size() + " labelled images (each validated once; trials train " + k + " times)";
                out.printf(Locale.ROOT, "tune %s: %d trials of up to %d epochs (rungs at %s), %d worker(s)%s, scored by %s%n",
                        label, tune.trials(), max, java.util.Arrays.toString(Asha.rungs(resolved.graceEpochs(), tune.reduction(), max)), tune.workers(),
                        tune.maxMinutes() == null ? "" : String.format(Locale.ROOT, ", at most %.1f minutes", tune.maxMinutes()), scoredBy);
                int threadsPerTrial = Math.max(1, info.threads() / tune.workers());
                Search.Trainer trainer = (trial, config, epochs, listener) -> {
                    Recipe tr = space.apply(budgeted, config, epochs, "tune trial " + trial);
                    if (tune.workers() > 1) torch.set_num_threads(threadsPerTrial);
                    long seed = r.seed() + 7_919L * (trial + 1);
                    if (k == 1) {
                        try (Training t = Training.open(tr, trains.get(0), validations.get(0), classNames, seed, o.dataBase(), info.device(), out, false, label + ".trial" + trial)) {
                            t.learner().add(new Reporter(listener));
                            t.fit();
                        }
                        return;
                    }
                    // every fold trains to the trial's end; ASHA ranks the mean of their validation curves
                    List<List<Search.Metrics>> curves = new ArrayList<>();
                    for (int f = 0; f < k; f++) {
                        List<Search.Metrics> curve = new ArrayList<>();
                        try (Training t = Training.open(tr, trains.get(f), validations.get(f), classNames, seed, o.dataBase(), info.device(), out, false,
                                label + ".trial" + trial + ".fold" + f)) {
                            t.learner().add(new Reporter((epoch, m) -> curve.add(m)));
                            t.fit();
                        }
                        curves.add(curve);
                    }
                    int epochsAll = curves.stream().mapToInt(List::size).min().orElse(0);
                    for (int e = 0; e < epochsAll; e++) {
                        double acc = 0, bal = 0, loss = 0;
                        for (List<Search.Metrics> c : curves) {
                            acc += c.get(e).accuracy() / k;
                            bal += c.get(e).balancedAccuracy() / k;
                            loss += c.get(e).loss() / k;
                        }
                        if (!listener.after(e + 1, new Search.Metrics(acc, bal, loss))) return;
                    }
                };
                Search.Outcome outcome;
                try {
                    outcome = Search.run(resolved, max, space, r.seed(), dir, trainer, out, label);
                } finally {
                    if (tune.workers() > 1) torch.set_num_threads(info.threads());
                }
                Search.TrialRecord best = outcome.best();
                var trials = outcome.trials();
                String warning = closeCall(trials, best, tune, validationImages);
                Searched s = new Searched(variant, job.point(), tune.metric(), best.value(), best.trial(), best.config(), best.epochs(), max, outcome.rungs(),
                        trials.size(), count(trials, "finished"), count(trials, "stopped"), count(trials, "failed"), outcome.endedBy(),
                        outcome.searchSeconds(), trainImages, validationImages, tune, k, scoredBy, warning);
                AtomicFiles.writeString(dir.resolve("best.json"), Json.PRETTY.writeValueAsString(s));
                out.printf(Locale.ROOT, "tune %s: best trial %d of %d (validation %s %.4f after %d epochs), search %.1f s%s; the jobs train with %s on all %d labelled images%n",
                        label, best.trial() + 1, trials.size(), tune.metric(), best.value(), best.epochs(), outcome.searchSeconds(),
                        outcome.endedBy().equals("maxMinutes") ? String.format(Locale.ROOT, ", ended by tune.maxMinutes (%s) after %d of %d trials",
                                tune.maxMinutes(), trials.size(), tune.trials()) : "",
                        Search.format(best.config()), labelled.size());
                if (warning != null) out.println("warning: tune " + label + ": " + warning);
                return s;
            } finally {
                trains.forEach(ImageSet::close);
                validations.forEach(ImageSet::close);
            }
        }
    }

    /**
     * A warning when the best trial's accuracy is within one validation image of the runner-up's
     * (among the trials that trained as long): the choice between them is noise. Null otherwise,
     * and for the loss, which has no such unit.
     */
    static String closeCall(List<Search.TrialRecord> trials, Search.TrialRecord best, Tune tune, int validationImages) {
        if (tune.metric().equals("loss")) return null;
        double gap = Double.POSITIVE_INFINITY;
        int second = -1;
        for (Search.TrialRecord t : trials) {
            if (t.trial() == best.trial() || t.value() == null || t.epochs() != best.epochs() || t.state().equals("failed")) continue;
            double d = Math.abs(best.value() - t.value());
            if (d < gap) {
                gap = d;
                second = t.trial();
            }
        }
        if (second < 0 || gap >= 1.0 / validationImages - 1e-12) return null;
        return String.format(Locale.ROOT, "the best trial (%d) and trial %d differ by %.4f in validation %s, less than one of the %d validation images (%.4f): "
                        + "the choice between them is noise; more folds (tune.folds) or more labelled images would tell them apart",
                best.trial() + 1, second + 1, gap, tune.metric(), validationImages, 1.0 / validationImages);
    }

    private static int count(List<Search.TrialRecord> trials, String state) {
        return (int) trials.stream().filter(t -> t.state().equals(state)).count();
    }

    private static Searched readBest(Path dir) throws IOException {
        Path f = dir.resolve("best.json");
        return Files.isRegularFile(f) ? Json.PRETTY.readValue(f.toFile(), Searched.class) : null;
    }

    /** The recipe {@code job} trains: its variant's, with the best configuration of its point applied if the variant is tuned. */
    public Recipe recipe(Plan plan, Job job) {
        Recipe r = plan.variants().get(job.variant());
        String k = key(job.variant(), job.point());
        Searched s = searches.get(k);
        if (s == null) return r;
        return finals.computeIfAbsent(k, x -> Space.of(r).apply(r, s.config(), null, "the best configuration of tune/" + job.variant() + "/" + job.point()));
    }

    public boolean isEmpty() {
        return searches.isEmpty();
    }

    /** For results.json: every search's best configuration and budget, and whether the budgets were equal. */
    public Map<String, Object> summary() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("searches", searches.values());
        m.put("sameBudget", sameBudget());
        m.put("untunedVariants", untuned);
        m.put("note", budgetNote());
        return m;
    }

    private boolean sameBudget() {
        return searches.values().stream().map(Tuning::budgetOf).distinct().count()
                <= searches.values().stream().map(Searched::point).distinct().count();
    }

    private static List<Object> budgetOf(Searched s) {
        Tune t = s.tune();
        return java.util.Arrays.asList(t.trials(), s.maxEpochs(), t.graceEpochs(), t.reduction(), t.workers(), t.maxMinutes(), t.metric(), t.validation(), s.folds(), t.graceSteps(), s.point());
    }

    private String budgetNote() {
        List<String> variants = searches.values().stream().map(Searched::variant).distinct().toList();
        String tuned = variants.size() == 1 ? "variant " + variants.get(0) + " was tuned" : "variants " + String.join(", ", variants) + " were tuned";
        String same = variants.size() < 2 ? "" : sameBudget() ? " with the same budget (trials, epochs, rungs, workers, time limit, metric, validation share)"
                : " with different budgets (their tune sections differ; see tune/*/*/best.json)";
        String rest = untuned.isEmpty() ? "" : "; not tuned (no tune section): " + String.join(", ", untuned);
        return tuned + same + rest;
    }

    /** Passes each epoch's validation metrics to the search and stops the trial when told. */
    private record Reporter(Search.EpochListener listener) implements Callback {
        @Override
        public void on(Event event, TrainState state) {
            if (event != Event.AFTER_EPOCH || state.validation() == null) return;
            Evaluation v = state.validation();
            if (!listener.after(state.epoch(), new Search.Metrics(v.accuracy(), v.balancedAccuracy(), v.loss()))) state.stop();
        }

        @Override
        public int order() {
            return 50;
        }
    }
}
