package dev.kinglet.report;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import dev.kinglet.dsl.Holdout;
import dev.kinglet.dsl.KFold;
import dev.kinglet.dsl.Recipe;
import dev.kinglet.dsl.RecipeException;
import dev.kinglet.dsl.RecipeIo;
import dev.kinglet.rundir.Job;
import dev.kinglet.rundir.JobResult;
import dev.kinglet.rundir.PlanFile;
import dev.kinglet.rundir.RunFiles;
import dev.kinglet.util.AtomicFiles;
import dev.kinglet.util.Json;
import dev.kinglet.util.Stats;
import tools.jackson.databind.JsonNode;

/**
 * Everything a run directory says, summarised: read from the files a run writes (so
 * {@code kinglet report RUN_DIR} rebuilds it from any run, an interrupted one included) and
 * written as {@code results.json} (described by {@code results.schema.json}) and a self-contained
 * {@code report.html}. A result counts once per point, fold and seed: an ensemble's combined
 * prediction for ensemble variants, the job's otherwise. Jobs that did not finish are listed as
 * missing and never enter a mean.
 */
public final class RunReport {
    static final String RESULTS = "results.json", SCHEMA = "results.schema.json", HTML = "report.html";
    /** The metrics summarised per variant and point; the first ranks them and is compared in pairs. */
    static final List<String> METRICS = List.of("accuracy", "balancedAccuracy", "macroF1", "nll", "ece"),
            REGRESSION_METRICS = List.of("r2", "mae", "rmse");
    private static final int BOOTSTRAP = 1000;

    private final Path dir;
    private final Results results;
    final Recipe recipe;
    final Map<String, List<Epoch>> curves;
    final List<Unit> units;

    private RunReport(Path dir, Results results, Recipe recipe, Map<String, List<Epoch>> curves, List<Unit> units) {
        this.dir = dir;
        this.results = results;
        this.recipe = recipe;
        this.curves = curves;
        this.units = units;
    }

    public Results results() {
        return results;
    }

    Path dir() {
        return dir;
    }

    /** The first metric (test accuracy; R² for regression) per "variant @ point" (and "(single members)" of ensembles). */
    public Map<String, Stats.Summary> testAccuracy() {
        return results.testAccuracy();
    }

    /** Reads {@code dir}, writes results.json, results.schema.json and report.html (each whole or not at all). */
    public static RunReport write(Path dir) throws IOException {
        RunReport r = read(dir);
        AtomicFiles.writeString(dir.resolve(RESULTS), Json.PRETTY.writeValueAsString(r.results));
        AtomicFiles.writeString(dir.resolve(SCHEMA), ResultsSchema.json());
        AtomicFiles.writeString(dir.resolve(HTML), Html.of(r));
        return r;
    }

    /** One epoch of a job's metrics.jsonl. */
    record Epoch(int epoch, Double trainLoss, Double validationAccuracy, Double validationLoss, Double lr) {}

    /** One result of a variant at a point, fold and seed: an ensemble's or a single job's. */
    record Unit(String variant, String point, int fold, int seed, String source, Map<String, Double> metrics, JsonNode test) {
        String pairKey() {
            return point + ".f" + fold + ".s" + seed;
        }
    }

    public static RunReport read(Path dir) throws IOException {
        Path recipeFile = dir.resolve(RunFiles.RECIPE);
        if (!Files.isRegularFile(recipeFile) || !PlanFile.exists(dir)) {
            throw new RecipeException("report", dir + " is not a run directory: it needs recipe.json and plan.json");
        }
        Recipe recipe = RecipeIo.fromJson(Files.readString(recipeFile), recipeFile.toString());
        List<String> metricNames = recipe.data().regression() ? REGRESSION_METRICS : METRICS;
        String primary = metricNames.get(0);
        PlanFile plan = PlanFile.read(dir);
        List<PlanFile.Entry> jobs = plan.jobs();
        Map<String, Boolean> ensembleVariant = new LinkedHashMap<>();
        for (PlanFile.Entry j : jobs) ensembleVariant.merge(j.job().variant(), j.job().member() > 0, Boolean::logicalOr);
        List<Unit> units = new ArrayList<>();
        List<JobRow> jobRows = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        Map<String, List<Epoch>> curves = new LinkedHashMap<>();
        Map<String, List<Double>> singleMembers = new LinkedHashMap<>();
        for (PlanFile.Entry j : jobs) {
            Job job = j.job();
            String id = j.id(), variant = job.variant(), point = job.point();
            Path jobDir = RunFiles.jobDir(dir, id);
            JobResult recorded = RunFiles.recorded(dir, j);
            String state = recorded.state().json(), error = recorded.error();
            JsonNode res = readJson(jobDir.resolve("results.json"));
            boolean done = recorded.isDone() && res != null;
            if (!done) missing.add(id + " (" + state + (error != null ? ": " + error : "") + ")");
            Map<String, Double> metrics = done ? metrics(res.has("test") ? res.get("test") : res) : Map.of();
            jobRows.add(new JobRow(id, variant, point, job.fold(), job.seedIndex(), job.member(),
                    done ? "done" : state, metrics, done && res.has("trainSeconds") ? res.get("trainSeconds").asDouble() : null,
                    done && res.has("trainImages") ? res.get("trainImages").asInt() : null, error, done ? PseudoLabels.of(res) : null));
            curves.put(id, readEpochs(jobDir.resolve("metrics.jsonl")));
            String key = variant + (point.equals("all") ? "" : " @ " + point);
            if (ensembleVariant.get(variant)) {
                singleMembers.computeIfAbsent(key + " (single members)", k -> new ArrayList<>());
                if (done && metrics.get(primary) != null) singleMembers.get(key + " (single members)").add(metrics.get(primary));
                if (job.member() == 0) {
                    String ensembleId = job.ensembleId();
                    JsonNode e = readJson(dir.resolve("ensembles").resolve(ensembleId).resolve("ensemble.json"));
                    if (e != null && e.get("result").has("test")) {
                        units.add(new Unit(variant, point, job.fold(), job.seedIndex(), "ensembles/" + ensembleId,
                                metrics(e.get("result").get("test")), e.get("result").get("test")));
                    } else {
                        missing.add("ensemble " + ensembleId + " (not combined: some members did not finish)");
                    }
                }
            } else if (done) {
                units.add(new Unit(variant, point, job.fold(), job.seedIndex(), "jobs/" + id, metrics, res.get("test")));
            }
        }
        List<BaselineUnit> baselines = readBaselines(dir);
        List<String> points = new ArrayList<>();
        for (PlanFile.Entry j : jobs) if (!points.contains(j.job().point())) points.add(j.job().point());
        List<String> variants = new ArrayList<>(ensembleVariant.keySet());

        // summary rows
        List<Row> rows = new ArrayList<>();
        Map<String, Stats.Summary> testAccuracy = new LinkedHashMap<>();
        for (String v : variants) {
            for (String p : points) {
                List<Unit> mine = units.stream().filter(u -> u.variant().equals(v) && u.point().equals(p)).toList();
                String key = v + (p.equals("all") ? "" : " @ " + p);
                if (mine.isEmpty()) {
                    rows.add(new Row(v, p, 0, ensembleVariant.get(v), Map.of(), null, null, null));
                    continue;
                }
                Map<String, Stats.Summary> m = new LinkedHashMap<>();
                for (String metric : metricNames) {
                    List<Double> vals = mine.stream().map(u -> u.metrics().get(metric)).filter(x -> x != null && !x.isNaN()).toList();
                    if (!vals.isEmpty()) m.put(metric, Stats.Summary.of(vals));
                }
                if (m.containsKey(primary)) testAccuracy.put(key, m.get(primary));
                if (ensembleVariant.get(v) && !singleMembers.getOrDefault(key + " (single members)", List.of()).isEmpty()) {
                    testAccuracy.put(key + " (single members)", Stats.Summary.of(singleMembers.get(key + " (single members)")));
                }
                Lift lift = null;
                String bestBaseline = bestBaseline(baselines, p);
                if (bestBaseline != null) {
                    Map<String, Double> base = new LinkedHashMap<>();
                    baselines.stream().filter(b -> b.point().equals(p) && b.model().equals(bestBaseline))
                            .forEach(b -> base.put(p + ".f" + b.fold() + ".s" + b.seed(), b.metrics().get("accuracy")));
                    lift = paired(mine, base, bestBaseline, primary);
                }
                Lift vsBase = null;
                if (!v.equals("base")) {
                    Map<String, Double> base = new LinkedHashMap<>();
                    units.stream().filter(u -> u.variant().equals("base") && u.point().equals(p)).forEach(u -> base.put(u.pairKey(), u.metrics().get(primary)));
                    vsBase = paired(mine, base, "base", primary);
                }
                rows.add(new Row(v, p, mine.size(), ensembleVariant.get(v), m, lift, vsBase, null));
            }
        }
        List<Row> ranked = new ArrayList<>(rows);
        ranked.sort(Comparator.comparing((Row r) -> points.indexOf(r.point()))
                .thenComparing(r -> r.lift() != null ? -r.lift().difference().mean() : r.metrics().containsKey(primary) ? -r.metrics().get(primary).mean() : Double.POSITIVE_INFINITY));
        for (int i = 0; i < ranked.size(); i++) {
            Row r = ranked.get(i);
            int rank = 1;
            for (Row o : ranked) if (o.point().equals(r.point()) && ranked.indexOf(o) < i && !o.metrics().isEmpty()) rank++;
            ranked.set(i, new Row(r.variant(), r.point(), r.results(), r.ensemble(), r.metrics(), r.lift(), r.vsBase(), r.metrics().isEmpty() ? null : rank));
        }

        List<BaselineRow> baselineRows = new ArrayList<>();
        for (String p : points) {
            Map<String, List<Double>> byModel = new LinkedHashMap<>();
            baselines.stream().filter(b -> b.point().equals(p)).forEach(b -> byModel.computeIfAbsent(b.model(), k -> new ArrayList<>()).add(b.metrics().get("accuracy")));
            byModel.forEach((model, acc) -> baselineRows.add(new BaselineRow(model, p, Stats.Summary.of(acc), model.equals(bestBaseline(baselines, p)))));
        }

        List<Curve> learningCurves = learningCurves(recipe, points, variants, units, baselines, primary);
        JsonNode provenance = readJson(dir.resolve("provenance.json"));
        JsonNode notices = readJson(dir.resolve(RunFiles.NOTICES));
        List<String> noticeList = new ArrayList<>();
        if (notices != null) notices.forEach(n -> noticeList.add(n.asString()));
        List<JsonNode> ensembles = new ArrayList<>();
        Path ensDir = dir.resolve("ensembles");
        if (Files.isDirectory(ensDir)) {
            try (var s = Files.list(ensDir)) {
                for (Path e : s.sorted().toList()) {
                    JsonNode n = readJson(e.resolve("ensemble.json"));
                    if (n != null) ensembles.add(n.get("result"));
                }
            }
        }
        Results results = new Results(recipe.name(), recipe.description(), plan.summary(), modelSelection(recipe), metricNames,
                ranked, baselineRows, learningCurves, jobRows, ensembles, missing, noticeList, testAccuracy, readJson(dir.resolve(RunFiles.TUNING)), provenance);
        return new RunReport(dir, results, recipe, curves, units);
    }

    /** How validation and test were used: the report says it. */
    static String modelSelection(Recipe r) {
        String split = switch (r.data().split()) {
            case Holdout h when h.validation() == 0 -> "none: every job trained on all its labelled images" + (h.repeats() > 1 ? ", " + h.repeats()
                    + " times with different initialisation and batch order (the intervals pair variants on these repeats)" : "")
                    + "; nothing was chosen on validation (tuning, if any, scores trials on its own inner split)";
            case Holdout h -> String.format(Locale.ROOT, "a stratified validation split of %.0f%% of the labelled training images%s", 100 * h.validation(),
                    h.repeats() > 1 ? ", drawn " + h.repeats() + " times" : "");
            case KFold k -> "stratified " + k.k() + "-fold cross-validation of the labelled training images" + (k.repeats() > 1 ? ", repeated " + k.repeats() + " times" : "");
            case dev.kinglet.dsl.AutoSplit a -> "auto, chosen when the data was loaded"; // a run's recipe.json holds the choice
        };
        return "Validation: " + split + " (training curves, early stopping and tuning look only at it). "
                + "Test: the fixed test split, evaluated once per finished job and never used to choose anything.";
    }

    private static Lift paired(List<Unit> mine, Map<String, Double> other, String against, String metric) {
        List<Double> diffs = new ArrayList<>();
        for (Unit u : mine) {
            Double o = other.get(u.pairKey());
            if (o != null && u.metrics().get(metric) != null) diffs.add(u.metrics().get(metric) - o);
        }
        return diffs.isEmpty() ? null : new Lift(against, Stats.Summary.of(diffs));
    }

    private static String bestBaseline(List<BaselineUnit> baselines, String point) {
        Map<String, List<Double>> byModel = new LinkedHashMap<>();
        baselines.stream().filter(b -> b.point().equals(point)).forEach(b -> byModel.computeIfAbsent(b.model(), k -> new ArrayList<>()).add(b.metrics().get("accuracy")));
        return byModel.entrySet().stream()
                .max(Comparator.comparingDouble(e -> e.getValue().stream().mapToDouble(d -> d).average().orElse(0)))
                .map(Map.Entry::getKey).orElse(null);
    }

    record BaselineUnit(String model, String point, int fold, int seed, Map<String, Double> metrics) {}

    private static List<BaselineUnit> readBaselines(Path dir) throws IOException {
        Path b = dir.resolve("baselines");
        List<BaselineUnit> out = new ArrayList<>();
        if (!Files.isDirectory(b)) return out;
        try (var s = Files.list(b)) {
            for (Path f : s.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                JsonNode n = readJson(f);
                if (n == null) continue;
                for (JsonNode m : n.get("models")) {
                    out.add(new BaselineUnit(m.get("name").asString(), n.get("point").asString(), n.get("fold").asInt(), n.get("seed").asInt(), metrics(m.get("test"))));
                }
            }
        }
        return out;
    }

    /** Learning curves (two points or more): per variant and baseline model, mean and interval per point, and the power-law fit. */
    private static List<Curve> learningCurves(Recipe recipe, List<String> points, List<String> variants, List<Unit> units,
                                              List<BaselineUnit> baselines, String primary) {
        if (points.size() < 2 || recipe.learningCurve() == null || !primary.equals("accuracy")) return List.of(); // plotted for classification
        boolean perClass = !recipe.learningCurve().perClass().isEmpty();
        double[] x = new double[points.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = perClass ? recipe.learningCurve().perClass().get(i) : recipe.learningCurve().fractions().get(i);
        }
        double lastMean = 0;
        Map<String, List<List<Double>>> series = new LinkedHashMap<>();
        for (String v : variants) {
            List<List<Double>> ys = new ArrayList<>();
            for (String p : points) ys.add(units.stream().filter(u -> u.variant().equals(v) && u.point().equals(p)).map(u -> u.metrics().get(primary)).filter(java.util.Objects::nonNull).toList());
            series.put(v, ys);
        }
        Map<String, List<List<Double>>> baseSeries = new TreeMap<>();
        for (BaselineUnit b : baselines) {
            baseSeries.computeIfAbsent("baseline: " + b.model(), k -> {
                List<List<Double>> l = new ArrayList<>();
                for (int i = 0; i < points.size(); i++) l.add(new ArrayList<>());
                return l;
            }).get(points.indexOf(b.point())).add(b.metrics().get("accuracy"));
        }
        series.putAll(baseSeries);
        for (var ys : series.values()) {
            List<Double> last = ys.get(ys.size() - 1);
            if (!last.isEmpty()) lastMean = Math.max(lastMean, last.stream().mapToDouble(d -> d).average().orElse(0));
        }
        double target = recipe.learningCurve().targetAccuracy() != null ? recipe.learningCurve().targetAccuracy() : Math.min(0.999, lastMean + 0.02);
        List<Curve> out = new ArrayList<>();
        for (var e : series.entrySet()) {
            List<CurvePoint> cp = new ArrayList<>();
            List<Double> xs = new ArrayList<>();
            List<List<Double>> ys = new ArrayList<>();
            for (int i = 0; i < points.size(); i++) {
                List<Double> vals = e.getValue().get(i);
                if (vals.isEmpty()) {
                    cp.add(new CurvePoint(points.get(i), x[i], null));
                    continue;
                }
                cp.add(new CurvePoint(points.get(i), x[i], Stats.Summary.of(vals)));
                xs.add(x[i]);
                ys.add(vals);
            }
            double[] xa = xs.stream().mapToDouble(d -> d).toArray();
            PowerLaw.Fit fit = PowerLaw.fit(xa, ys);
            PowerLaw.Estimate est = perClass && primary.equals("accuracy") ? PowerLaw.estimate(xa, ys, target, BOOTSTRAP, 17) : null;
            out.add(new Curve(e.getKey(), perClass ? "labelled images per class" : "fraction of the training images", cp, fit, est));
        }
        return out;
    }

    static Map<String, Double> metrics(JsonNode test) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (String k : METRICS) {
            JsonNode v = test.get(k);
            if (v != null && v.isNumber()) m.put(k, v.asDouble());
        }
        JsonNode mean = test.get("mean"); // a regression job's averages over its targets
        if (mean != null && mean.isObject()) {
            for (String k : REGRESSION_METRICS) if (mean.get(k) != null && mean.get(k).isNumber()) m.put(k, mean.get(k).asDouble());
        }
        if (!m.containsKey("accuracy") && test.has("testAccuracy")) m.put("accuracy", test.get("testAccuracy").asDouble());
        return m;
    }

    private static List<Epoch> readEpochs(Path file) throws IOException {
        List<Epoch> out = new ArrayList<>();
        if (!Files.isRegularFile(file)) return out;
        for (String line : Files.readAllLines(file)) {
            if (line.isBlank()) continue;
            try {
                JsonNode n = Json.LINE.readTree(line);
                out.add(new Epoch(n.get("epoch").asInt(), num(n, "trainLoss"), num(n, "validationAccuracy"), num(n, "validationLoss"), num(n, "lr")));
            } catch (RuntimeException torn) {
                // the last line of a killed job may be cut off
            }
        }
        return out;
    }

    private static Double num(JsonNode n, String k) {
        JsonNode v = n.get(k);
        return v != null && v.isNumber() ? v.asDouble() : null;
    }

    static JsonNode readJson(Path f) throws IOException {
        if (!Files.isRegularFile(f)) return null;
        try {
            return Json.PRETTY.readTree(f.toFile());
        } catch (RuntimeException e) {
            return null; // unreadable: shown as missing
        }
    }

    /** The summary a run prints at its end. */
    public void print(PrintStream out) {
        for (BaselineRow b : results.baselines()) {
            out.printf(Locale.ROOT, "baseline %s%s: test accuracy %s%n", b.model(), b.point().equals("all") ? "" : " @ " + b.point(), Html.pct(b.accuracy()));
        }
        for (Row r : results.summary()) {
            if (r.metrics().isEmpty()) {
                out.printf(Locale.ROOT, "%s%s: no finished result%n", r.variant(), r.point().equals("all") ? "" : " @ " + r.point());
                continue;
            }
            String first = results.metrics().get(0);
            out.printf(Locale.ROOT, "%s%s: test %s %s%s%s%n", r.variant(), r.point().equals("all") ? "" : " @ " + r.point(), Html.label(first),
                    Html.format(first, r.metrics().get(first)),
                    r.lift() == null ? "" : "; lift over " + r.lift().against() + " " + Html.points(r.lift().difference()),
                    r.vsBase() == null ? "" : "; vs base " + Html.points(r.vsBase().difference()));
        }
        for (Curve c : results.learningCurves()) {
            if (c.estimate() != null) {
                out.printf(Locale.ROOT, "learning curve %s: to reach %.1f%% %s%n", c.name(), 100 * c.estimate().target(),
                        c.estimate().needed() == null || c.estimate().verdict().startsWith("the") ? c.estimate().verdict() : c.estimate().verdict() + " " + c.unit());
            }
        }
        for (String w : warnings(results)) out.println("warning: " + w);
        if (!results.missing().isEmpty()) out.println("missing: " + results.missing().size() + " (listed in report.html)");
        out.println("report: " + dir.resolve(HTML));
    }

    /**
     * What a reader must not miss, in plain words: every variant whose jobs failed (how many, and
     * the first reason), and every variant that scored below {@code base} or the best baseline —
     * "worse" when the paired interval lies below zero, "below, on one split" when there is none.
     */
    static List<String> warnings(Results results) {
        List<String> out = new ArrayList<>();
        Map<String, List<JobRow>> byVariant = new LinkedHashMap<>();
        for (JobRow j : results.jobs()) byVariant.computeIfAbsent(j.variant(), k -> new ArrayList<>()).add(j);
        byVariant.forEach((variant, jobs) -> {
            List<JobRow> failed = jobs.stream().filter(j -> "failed".equals(j.state())).toList();
            if (!failed.isEmpty()) {
                out.add(String.format(Locale.ROOT, "variant %s: %d of %d job(s) failed: %s", variant, failed.size(), jobs.size(),
                        failed.get(0).error() == null ? "no reason recorded" : failed.get(0).error()));
            }
        });
        if (results.tuning() != null && results.tuning().has("searches")) {
            for (JsonNode s : results.tuning().get("searches")) {
                if (s.hasNonNull("warning")) out.add("tune " + s.get("variant").asString() + "@" + s.get("point").asString() + ": " + s.get("warning").asString());
            }
        }
        for (Row r : results.summary()) {
            String at = r.variant() + (r.point().equals("all") ? "" : " @ " + r.point());
            if (r.vsBase() != null) below(out, at, "base", r.vsBase().difference());
            if (r.lift() != null) below(out, at, r.lift().against(), r.lift().difference());
        }
        return out;
    }

    private static void below(List<String> out, String at, String against, Stats.Summary d) {
        if (d == null || d.mean() >= 0) return;
        if (d.jobs() > 1 && d.ciHigh() < 0) {
            out.add(at + " is worse than " + against + ": " + Html.points(d) + ", the whole interval below zero");
        } else if (d.jobs() == 1 && d.mean() <= -0.01) {
            out.add(at + " scored below " + against + ": " + Html.points(d) + " on one split, with no interval to tell harm from noise");
        }
    }

    // ---- results.json ----

    /** Everything in results.json. */
    public record Results(String recipe, String description, String plan, String modelSelection, List<String> metrics, List<Row> summary,
                          List<BaselineRow> baselines, List<Curve> learningCurves, List<JobRow> jobs, List<JsonNode> ensembles,
                          List<String> missing, List<String> notices, Map<String, Stats.Summary> testAccuracy, JsonNode tuning, JsonNode provenance) {}

    /**
     * One variant at one point: {@code results} finished (ensembles count once), each metric's
     * summary, the paired lift over the best baseline, and the paired difference to the base recipe.
     */
    public record Row(String variant, String point, int results, boolean ensemble, Map<String, Stats.Summary> metrics, Lift lift, Lift vsBase,
                      Integer rank) {}

    /** Paired differences of test accuracy against {@code against} on the same splits (points, folds, seeds). */
    public record Lift(String against, Stats.Summary difference) {}

    public record BaselineRow(String model, String point, Stats.Summary accuracy, boolean best) {}

    public record JobRow(String id, String variant, String point, int fold, int seed, int member, String state, Map<String, Double> metrics,
                         Double trainSeconds, Integer trainImages, String error, PseudoLabels pseudoLabels) {}

    /**
     * A semi-supervised job's pseudo-labels. Self-training ({@code method} pseudoLabel), its last
     * round: the pseudo-labels taken of the pool's {@code of} images, the share right (where the
     * pool's true labels are known), and the test accuracy of the teacher that made them, against
     * which the job's own is the gain. FixMatch ({@code method} fixMatch): of the {@code of}
     * unlabelled images drawn over training, how many passed the threshold and how many of those
     * were right; no teacher (null).
     */
    public record PseudoLabels(String method, long pseudoLabels, long of, double rate, Double accuracy, Double teacherTestAccuracy) {
        static PseudoLabels of(JsonNode results) {
            JsonNode semi = results.get("semiSupervised");
            if (semi == null) return null;
            if ("fixMatch".equals(semi.path("type").asString())) {
                JsonNode fit = semi.get("fit");
                return new PseudoLabels("fixMatch", fit.get("pseudoLabels").asLong(), fit.get("unlabelledImages").asLong(), fit.get("rate").asDouble(),
                        fit.get("accuracy").isNull() ? null : fit.get("accuracy").asDouble(), null);
            }
            JsonNode rounds = semi.get("rounds");
            if (rounds == null || rounds.isEmpty()) return null;
            JsonNode last = rounds.get(rounds.size() - 1);
            return new PseudoLabels("pseudoLabel", last.get("pseudoLabels").asInt(), last.get("poolImages").asInt(), last.get("rate").asDouble(),
                    last.get("accuracy").isNull() ? null : last.get("accuracy").asDouble(), last.get("teacherTestAccuracy").asDouble());
        }
    }

    public record CurvePoint(String point, double x, Stats.Summary accuracy) {}

    public record Curve(String name, String unit, List<CurvePoint> points, PowerLaw.Fit fit, PowerLaw.Estimate estimate) {}
}
