package dev.kinglet.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.kinglet.baseline.Baselines;
import dev.kinglet.data.Datasets;
import dev.kinglet.data.Splits;
import dev.kinglet.dsl.Baseline;
import dev.kinglet.dsl.BaselineModel;
import dev.kinglet.dsl.IdxSource;
import dev.kinglet.dsl.LogisticRegression;
import dev.kinglet.dsl.PerClass;
import dev.kinglet.dsl.RandomForest;

/**
 * The baselines of DESIGN.md's table, measured with Kinglet: full Fashion-MNIST (Debian's
 * dataset-fashion-mnist by default), class-balanced nested training subsets drawn by
 * {@link Splits} for each seed, the official 10,000 test images, raw pixels / 255. Prints one
 * line per size and seed, then mean ± standard deviation (n - 1) over the seeds beside the
 * scikit-learn 1.2 figures of DESIGN.md.
 *
 * <pre>
 * java -cp recipes/target/kinglet-recipes.jar dev.kinglet.bench.BaselineBench \
 *     [--data /usr/share/datasets/fashion-mnist] [--seeds 5] [--per-class 10,50,100] [--trees 500]
 * </pre>
 *
 * Logistic regression runs twice: at the recipe default {@code l2 = 1e-4} and at
 * {@code l2 = 1/n}, scikit-learn's default {@code C = 1} for {@code n} training images.
 */
public final class BaselineBench {
    private BaselineBench() {}

    /** DESIGN.md: scikit-learn 1.2, same protocol; per class → {random forest (500), logistic regression} as "mean ± std". */
    static final Map<Integer, String[]> SKLEARN = Map.of(
            10, new String[] {"71.0 ± 0.8", "71.5 ± 1.1"},
            50, new String[] {"77.9 ± 0.5", "77.6 ± 0.6"},
            100, new String[] {"80.4 ± 0.5", "79.4 ± 0.3"});

    public static void main(String[] args) throws Exception {
        String data = "/usr/share/datasets/fashion-mnist";
        int seeds = 5, trees = 500;
        int[] sizes = {10, 50, 100};
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--data" -> data = args[i + 1];
                case "--seeds" -> seeds = Integer.parseInt(args[i + 1]);
                case "--trees" -> trees = Integer.parseInt(args[i + 1]);
                case "--per-class" -> sizes = java.util.Arrays.stream(args[i + 1].split(",")).mapToInt(Integer::parseInt).toArray();
                default -> throw new IllegalArgumentException("unknown option " + args[i] + " (--data, --seeds, --trees, --per-class)");
            }
        }
        long start = System.nanoTime();
        // size -> model name -> accuracy per seed
        Map<Integer, Map<String, List<Double>>> acc = new LinkedHashMap<>();
        Map<Integer, Map<String, List<Double>>> secs = new LinkedHashMap<>();
        try (Datasets.Split split = Datasets.load(IdxSource.fashionMnist(data), Path.of(""))) {
            int[] labels = split.train().labels();
            System.out.printf(Locale.ROOT, "%d training images, %d test images, %d threads%n", labels.length, split.test().size(),
                    Integer.getInteger("kinglet.baseline.threads", Runtime.getRuntime().availableProcessors()));
            for (int seed = 0; seed < seeds; seed++) {
                for (int perClass : sizes) {
                    int[] subset = Splits.subset(new PerClass(perClass), labels, split.train().numClasses(), seed);
                    var train = split.train().select(subset);
                    List<BaselineModel> models = List.of(new RandomForest(trees), new LogisticRegression(null),
                            new LogisticRegression(1.0 / subset.length));
                    for (Baselines.Result r : Baselines.run(new Baseline(models, null), train, split.test(), seed, null)) {
                        String key = r.model() instanceof LogisticRegression lr && lr.l2() != 1e-4 ? "logistic regression (l2 1/n)" : r.name();
                        acc.computeIfAbsent(perClass, k -> new LinkedHashMap<>()).computeIfAbsent(key, k -> new ArrayList<>()).add(100 * r.accuracy());
                        secs.computeIfAbsent(perClass, k -> new LinkedHashMap<>()).computeIfAbsent(key, k -> new ArrayList<>()).add(r.seconds());
                        System.out.printf(Locale.ROOT, "per class %3d  seed %d  %-32s accuracy %.2f%%  balanced %.2f%%  %.1f s%n",
                                perClass, seed, r.name(), 100 * r.accuracy(), 100 * r.balancedAccuracy(), r.seconds());
                    }
                }
            }
        }
        System.out.println();
        System.out.println("| per class | model | Kinglet (Tribuo) | scikit-learn 1.2 (DESIGN.md) | seconds per fit |");
        System.out.println("| --- | --- | --- | --- | --- |");
        for (var bySize : acc.entrySet()) {
            String[] sk = SKLEARN.get(bySize.getKey());
            for (var byModel : bySize.getValue().entrySet()) {
                String model = byModel.getKey();
                String ref = sk == null ? "" : model.startsWith("random forest") ? sk[0] : model.contains("1/n") ? sk[1] : "";
                System.out.printf(Locale.ROOT, "| %d | %s | %s | %s | %.1f |%n", bySize.getKey(), model, meanStd(byModel.getValue()), ref,
                        mean(secs.get(bySize.getKey()).get(model)));
            }
        }
        System.out.printf(Locale.ROOT, "total %.0f s%n", (System.nanoTime() - start) / 1e9);
    }

    static double mean(List<Double> v) {
        double s = 0;
        for (double x : v) s += x;
        return s / v.size();
    }

    static String meanStd(List<Double> v) {
        double m = mean(v), ss = 0;
        for (double x : v) ss += (x - m) * (x - m);
        double sd = v.size() > 1 ? Math.sqrt(ss / (v.size() - 1)) : 0;
        return String.format(Locale.ROOT, "%.1f ± %.1f", m, sd);
    }
}
