package dev.kinglet.bench;

import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

import dev.kinglet.baseline.Baselines;
import dev.kinglet.data.Datasets;
import dev.kinglet.data.ImageSet;
import dev.kinglet.data.TableEncoder;
import dev.kinglet.data.TableReader;
import dev.kinglet.dsl.BaselineModel;
import dev.kinglet.dsl.Data;
import dev.kinglet.dsl.LogisticRegression;
import dev.kinglet.dsl.RandomForest;
import dev.kinglet.dsl.Recipe;
import dev.kinglet.dsl.TableSource;
import dev.kinglet.dsl.Train;
import dev.kinglet.dsl.XGBoost;
import dev.kinglet.natives.Device;
import dev.kinglet.natives.NativeRuntime;
import dev.kinglet.run.Training;
import dev.kinglet.train.Evaluation;
import dev.kinglet.util.Json;
import dev.kinglet.util.Stats;

/**
 * The tabular benchmark ({@code src/bench/run.sh tables}): on each UCI table of test-data/tables,
 * repeated stratified 5-fold cross-validation (the test fold rotates; the table's encoding is
 * fitted on the other four folds), scoring a random forest (100 trees), XGBoost (100 rounds,
 * depth 6), logistic regression, one MLP (the table default: [512, 512], batch norm, dropout
 * 0.2, Adam one-cycle) and the 5-member ensemble of MLPs of seeds 0..4 (member 0 is the single
 * MLP). Writes the folds to {@code <out>/folds.json} (so {@code src/bench/tables.py} scores
 * scikit-learn on the same rows) and every accuracy to {@code <out>/tables.json}, and prints
 * per dataset the mean accuracies, the seconds per fit, and the ensemble's paired difference
 * from the better tree model with its 95 % interval over the folds.
 */
public final class TableBench {
    private TableBench() {}

    static final List<String> MODELS = List.of("rf", "xgboost", "logistic", "mlp", "mlp-x5");

    public static void main(String[] args) throws Exception {
        int repeats = 2, epochs = 60, members = 5;
        Path out = Path.of("target/table-bench");
        List<String> sets = List.of("sonar", "ionosphere", "glass", "pimaindiansdiabetes", "breastcancer", "vehicle", "zoo", "housevotes84");
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--repeats" -> repeats = Integer.parseInt(args[i + 1]);
                case "--epochs" -> epochs = Integer.parseInt(args[i + 1]);
                case "--members" -> members = Integer.parseInt(args[i + 1]);
                case "--out" -> out = Path.of(args[i + 1]);
                case "--datasets" -> sets = List.of(args[i + 1].split(","));
                default -> throw new IllegalArgumentException("unknown option " + args[i] + " (--repeats, --epochs, --members, --out, --datasets)");
            }
        }
        Files.createDirectories(out);
        NativeRuntime.start(NativeRuntime.defaultThreads(), 42, Device.CPU);
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        Map<String, Object> folds = new LinkedHashMap<>(), results = new LinkedHashMap<>();
        System.out.printf(Locale.ROOT, "%d x stratified 5-fold, MLP %d epochs batch 64, ensemble of %d%n", repeats, epochs, members);
        System.out.printf(Locale.ROOT, "%-20s %5s %7s %7s %7s %7s %7s   %-34s %s%n", "dataset", "rows", "rf", "xgboost", "logistic", "mlp", "mlp-x" + members,
                "ensemble - best tree, 95% CI", "seconds per fit (rf / xgb / lr / mlp)");
        for (String name : sets) {
            Path file = Path.of("test-data/tables/" + name + ".csv");
            TableSource source = new TableSource(file.toString(), "Class");
            TableReader.Loaded t = TableReader.read(source, Path.of(""));
            int n = t.table().rows(), k = t.classes().size();
            Recipe recipe = Recipe.of("bench-" + name, new Data(source.withTask(t.task()))).withTrain(Train.defaults().withEpochs(epochs).withBatchSize(64));
            Map<String, List<Double>> acc = new LinkedHashMap<>();
            Map<String, Double> seconds = new LinkedHashMap<>();
            MODELS.forEach(m -> { acc.put(m, new ArrayList<>()); seconds.put(m, 0.0); });
            List<List<int[]>> datasetFolds = new ArrayList<>();
            try (ImageSet all = ImageSet.ofTable(t.table(), t.labels(), t.classes(), new float[0], List.of(), name)) {
                for (int r = 0; r < repeats; r++) {
                    List<int[]> tests = stratifiedFolds(t.labels(), k, 5, 1000L * r + 17);
                    datasetFolds.add(tests);
                    for (int[] testRows : tests) {
                        boolean[] isTest = new boolean[n];
                        for (int i : testRows) isTest[i] = true;
                        int[] trainRows = java.util.stream.IntStream.range(0, n).filter(i -> !isTest[i]).toArray();
                        try (ImageSet rawTrain = all.select(trainRows); ImageSet rawTest = all.select(testRows)) {
                            TableEncoder encoder = TableEncoder.fit(rawTrain);
                            try (ImageSet train = encoder.encode(rawTrain); ImageSet test = encoder.encode(rawTest); ImageSet none = train.select(new int[0])) {
                                float[][] xTrain = rows(train), xTest = rows(test);
                                List<BaselineModel> baselines = List.of(new RandomForest(100), new XGBoost(), new LogisticRegression(null));
                                for (int b = 0; b < baselines.size(); b++) {
                                    var res = Baselines.fit(baselines.get(b), xTrain, train.labels(), xTest, test.labels(), t.classes(), r, 0);
                                    acc.get(MODELS.get(b)).add(res.accuracy());
                                    seconds.merge(MODELS.get(b), res.seconds(), Double::sum);
                                }
                                float[] mean = null;
                                for (int m = 0; m < members; m++) {
                                    long t0 = System.nanoTime();
                                    try (Training tr = Training.open(recipe, train, none, t.classes(), 1000L * r + m, Path.of(""), Device.CPU, quiet, false, name)) {
                                        tr.fit();
                                        Evaluation e = tr.learner().evaluate(test);
                                        if (m == 0) acc.get("mlp").add(e.accuracy());
                                        float[] p = e.probabilities();
                                        if (mean == null) mean = new float[p.length];
                                        for (int i = 0; i < p.length; i++) mean[i] += p[i] / members;
                                    }
                                    seconds.merge("mlp", (System.nanoTime() - t0) / 1e9, Double::sum);
                                }
                                acc.get("mlp-x5").add(Evaluation.of(mean, test.labels(), t.classes()).accuracy());
                            }
                        }
                    }
                }
            }
            int fits = repeats * 5;
            double rf = mean(acc.get("rf")), xgb = mean(acc.get("xgboost"));
            List<Double> best = acc.get(rf >= xgb ? "rf" : "xgboost"), diff = new ArrayList<>();
            for (int i = 0; i < best.size(); i++) diff.add(acc.get("mlp-x5").get(i) - best.get(i));
            Stats.Summary d = Stats.Summary.of(diff);
            System.out.printf(Locale.ROOT, "%-20s %5d %6.2f%% %6.2f%% %6.2f%% %6.2f%% %6.2f%%   %+6.2f [%+6.2f, %+6.2f] vs %-8s %.3f / %.3f / %.3f / %.3f%n", name, n,
                    100 * rf, 100 * xgb, 100 * mean(acc.get("logistic")), 100 * mean(acc.get("mlp")), 100 * mean(acc.get("mlp-x5")),
                    100 * d.mean(), 100 * d.ciLow(), 100 * d.ciHigh(), rf >= xgb ? "rf" : "xgboost",
                    seconds.get("rf") / fits, seconds.get("xgboost") / fits, seconds.get("logistic") / fits, seconds.get("mlp") / (fits * members));
            folds.put(name, datasetFolds);
            Map<String, Object> entry = new LinkedHashMap<>(acc);
            entry.put("secondsPerFit", Map.of("rf", seconds.get("rf") / fits, "xgboost", seconds.get("xgboost") / fits,
                    "logistic", seconds.get("logistic") / fits, "mlp", seconds.get("mlp") / (fits * members)));
            results.put(name, entry);
        }
        Files.writeString(out.resolve("folds.json"), Json.PRETTY.writeValueAsString(folds));
        Files.writeString(out.resolve("tables.json"), Json.PRETTY.writeValueAsString(results));
        // averaged over the datasets: each model's mean, and the ensemble against the better tree per dataset
        List<Double> perSetDiff = new ArrayList<>();
        StringBuilder avg = new StringBuilder("average over " + results.size() + " datasets:");
        for (String m : MODELS) {
            double s = 0;
            for (Object e : results.values()) s += mean(accOf(e, m));
            avg.append(String.format(Locale.ROOT, " %s %.2f%%", m, 100 * s / results.size()));
        }
        for (Object e : results.values()) perSetDiff.add(mean(accOf(e, "mlp-x5")) - Math.max(mean(accOf(e, "rf")), mean(accOf(e, "xgboost"))));
        Stats.Summary s = Stats.Summary.of(perSetDiff);
        System.out.println(avg);
        System.out.printf(Locale.ROOT, "RESULT tables mlp-x5-minus-best-tree=%+.2f points (95%% CI over datasets %+.2f..%+.2f), deep wins on %d of %d%n",
                100 * s.mean(), 100 * s.ciLow(), 100 * s.ciHigh(), perSetDiff.stream().filter(v -> v > 0).count(), perSetDiff.size());
    }

    @SuppressWarnings("unchecked")
    private static List<Double> accOf(Object entry, String model) {
        return (List<Double>) ((Map<String, Object>) entry).get(model);
    }

    private static double mean(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    private static float[][] rows(ImageSet set) {
        float[][] x = new float[set.size()][];
        for (int i = 0; i < x.length; i++) x[i] = set.tableRow(i);
        return x;
    }

    /** {@code folds} test folds, each class's rows shuffled by {@code seed} and dealt round-robin (as scikit-learn's StratifiedKFold, shuffled). */
    static List<int[]> stratifiedFolds(int[] labels, int classes, int folds, long seed) {
        List<List<Integer>> parts = new ArrayList<>();
        for (int f = 0; f < folds; f++) parts.add(new ArrayList<>());
        int next = 0;
        for (int c = 0; c < classes; c++) {
            List<Integer> members = new ArrayList<>();
            for (int i = 0; i < labels.length; i++) if (labels[i] == c) members.add(i);
            SplittableRandom rng = new SplittableRandom(seed * 31 + c);
            for (int i = members.size() - 1; i > 0; i--) java.util.Collections.swap(members, i, rng.nextInt(i + 1));
            for (int i : members) parts.get(next++ % folds).add(i);
        }
        return parts.stream().map(p -> p.stream().mapToInt(Integer::intValue).sorted().toArray()).toList();
    }
}
