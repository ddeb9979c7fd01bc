package dev.kinglet.run;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.kinglet.dsl.Fraction;
import dev.kinglet.dsl.LearningCurve;
import dev.kinglet.dsl.PerClass;
import dev.kinglet.dsl.Recipe;
import dev.kinglet.dsl.RecipeIo;
import dev.kinglet.dsl.Subset;
import dev.kinglet.dsl.Variant;
import dev.kinglet.rundir.Job;
import dev.kinglet.rundir.JobId;

/**
 * The jobs a recipe expands to: variants (the base recipe first) x learning-curve points x
 * validation folds x curve seeds x ensemble members. Ids are stable
 * ({@code base.all.f0.s0.m0}), and the split and subset of a job depend only on its fold and
 * seed, never on its variant, so variants are compared on the same data (paired).
 */
public record Plan(List<Job> jobs, Map<String, Recipe> variants, Map<String, String> skipped) {

    public static Plan of(Recipe base) {
        return of(base, java.nio.file.Path.of(""));
    }

    /** The plan, with conditional variants ({@link Variant#when}) checked against files under {@code dataBase}. */
    public static Plan of(Recipe base, java.nio.file.Path dataBase) {
        Map<String, Recipe> variants = new LinkedHashMap<>();
        Map<String, String> skipped = new LinkedHashMap<>();
        variants.put("base", base.withVariants());
        for (Variant v : base.variants()) {
            Recipe r = RecipeIo.resolve(base, v);
            if (Variant.WEIGHTS_AVAILABLE.equals(v.when())) {
                String missing = Pretrained.unavailable(r.model(), dataBase);
                if (missing != null) {
                    skipped.put(v.name(), "left out (when: " + v.when() + "): " + missing);
                    continue;
                }
            }
            if (Variant.UNLABELLED_IMAGES.equals(v.when()) && points(r).stream().allMatch(p -> p instanceof dev.kinglet.dsl.AllImages)) {
                skipped.put(v.name(), "left out (when: " + v.when() + "): every training image is labelled (no data.subset or learningCurve leaves any without its label)");
                continue;
            }
            if (r.data().split() instanceof dev.kinglet.dsl.AutoSplit && !(base.data().split() instanceof dev.kinglet.dsl.AutoSplit)) {
                throw new dev.kinglet.dsl.RecipeException("variants[" + v.name() + "].set.data.split",
                        "an auto split is chosen once per run from the data: set it as the recipe's data.split, or give the variant a holdout or kFold split");
            }
            variants.put(v.name(), r);
        }
        List<Job> jobs = new ArrayList<>();
        for (var e : variants.entrySet()) {
            Recipe r = e.getValue();
            LearningCurve curve = r.learningCurve();
            List<Subset> points = points(r);
            int seeds = curve == null ? 1 : curve.seeds();
            for (Subset point : points) {
                for (int fold = 0; fold < r.data().split().folds(); fold++) {
                    for (int s = 0; s < seeds; s++) {
                        for (int m = 0; m < r.ensemble().members(); m++) {
                            long seed = r.seed();
                            jobs.add(new Job(new JobId(e.getKey(), pointName(point), fold, s, m), point,
                                    seed + 1_000_003L * fold, seed * 31 + 7919L * s, seed + 104_729L * m + 7_919L * s + 13L * fold));
                        }
                    }
                }
            }
        }
        return new Plan(List.copyOf(jobs), java.util.Collections.unmodifiableMap(variants), java.util.Collections.unmodifiableMap(skipped));
    }

    /** The labelled subsets {@code r} trains on: its learning curve's points, or its data.subset. */
    static List<Subset> points(Recipe r) {
        LearningCurve curve = r.learningCurve();
        return curve == null ? List.of(r.data().subset())
                : !curve.perClass().isEmpty() ? curve.perClass().stream().<Subset>map(PerClass::new).toList()
                : curve.fractions().stream().<Subset>map(Fraction::new).toList();
    }

    /**
     * {@code r} with an {@link dev.kinglet.dsl.AutoSplit auto split} replaced by its choice for the
     * largest labelled subset of {@code train} it trains on; any other recipe as it is.
     */
    public static Recipe chooseSplit(Recipe r, dev.kinglet.data.ImageSet train, java.io.PrintStream out) {
        if (!(r.data().split() instanceof dev.kinglet.dsl.AutoSplit auto)) return r;
        int labelled = 0;
        for (Subset point : points(r)) {
            labelled = Math.max(labelled, dev.kinglet.data.Splits.subset(point, train.labels(), train.strata(), r.seed()).length);
        }
        out.println("  " + auto.explain(labelled));
        return r.withData(r.data().withSplit(auto.choose(labelled)));
    }

    static String pointName(Subset s) {
        return switch (s) {
            case dev.kinglet.dsl.AllImages a -> "all";
            case PerClass p -> "perClass" + p.n();
            case Fraction f -> "fraction" + f.fraction();
        };
    }

    /** "2 variants x 3 points x 5 folds x 1 seed x 1 member = 30 jobs" for {@code describe}. */
    public String summary() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        counts.put("variants", variants.size());
        counts.put("points", (int) jobs.stream().map(Job::point).distinct().count());
        counts.put("folds", jobs.stream().mapToInt(Job::fold).max().orElse(0) + 1);
        counts.put("seeds", jobs.stream().mapToInt(Job::seedIndex).max().orElse(0) + 1);
        counts.put("members", jobs.stream().mapToInt(Job::member).max().orElse(0) + 1);
        StringBuilder b = new StringBuilder();
        long product = 1;
        for (var e : counts.entrySet()) {
            product *= e.getValue();
            String k = e.getKey();
            b.append(b.isEmpty() ? "" : " x ").append(e.getValue()).append(' ').append(e.getValue() == 1 ? k.substring(0, k.length() - 1) : k);
        }
        String total = jobs.size() + (jobs.size() == 1 ? " job" : " jobs");
        String auto = variants.get("base").data().split() instanceof dev.kinglet.dsl.AutoSplit a
                ? " at most (data.split auto: " + a.repeats() + " trainings on all labelled images up to " + dev.kinglet.dsl.AutoSplit.TINY
                  + " of them, fewer folds above; chosen when the data is loaded)" : "";
        return (product == jobs.size() ? b + " = " + total : total + " (variants differ in points, folds or members)") + auto;
    }
}
