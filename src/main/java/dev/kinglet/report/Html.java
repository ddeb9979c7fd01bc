package dev.kinglet.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

import dev.kinglet.dsl.RecipeIo;
import dev.kinglet.rundir.RunFiles;
import dev.kinglet.util.Json;
import dev.kinglet.util.Stats;
import tools.jackson.databind.JsonNode;

/**
 * {@code report.html}: one self-contained file (styles and plots inline, no network) that opens
 * offline. A few lines of script only mark the page when an image fails to load or a script
 * error occurs, for the headless-browser check ({@code src/bench/check-report.sh}).
 */
final class Html {
    private Html() {}

    static String pct(Stats.Summary s) {
        if (s == null) return "–";
        return s.jobs() > 1 ? String.format(Locale.ROOT, "%.2f%% ± %.2f [%.2f, %.2f]", 100 * s.mean(), 100 * s.std(), 100 * s.ciLow(), 100 * s.ciHigh())
                : String.format(Locale.ROOT, "%.2f%%", 100 * s.mean());
    }

    static String points(Stats.Summary s) {
        if (s == null) return "–";
        return s.jobs() > 1 ? String.format(Locale.ROOT, "%+.2f points [%+.2f, %+.2f] (n=%d)", 100 * s.mean(), 100 * s.ciLow(), 100 * s.ciHigh(), s.jobs())
                : String.format(Locale.ROOT, "%+.2f points (n=1, no interval)", 100 * s.mean());
    }

    /** Column heading of a metric. */
    static String label(String metric) {
        return switch (metric) {
            case "accuracy" -> "accuracy";
            case "balancedAccuracy" -> "balanced acc.";
            case "macroF1" -> "macro-F1";
            case "nll" -> "NLL";
            case "ece" -> "ECE";
            case "r2" -> "R²";
            case "mae" -> "MAE";
            case "rmse" -> "RMSE";
            default -> metric;
        };
    }

    /** A metric's summary as the report shows it: accuracy in percent with its interval, others as mean ± std. */
    static String format(String metric, Stats.Summary s) {
        return metric.equals("accuracy") ? pct(s) : num(s, "%.4f");
    }

    private static String num(Stats.Summary s, String fmt) {
        return s == null ? "–" : String.format(Locale.ROOT, fmt, s.mean()) + (s.jobs() > 1 ? String.format(Locale.ROOT, " ± " + fmt, s.std()) : "");
    }

    static String esc(String s) {
        if (s == null) return "";
        StringBuilder b = new StringBuilder(s.length());
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                default -> b.append(ch);
            }
        }
        return b.toString();
    }

    private static String img(byte[] png, String alt) {
        return "<img alt=\"" + esc(alt) + "\" src=\"" + Charts.dataUri(png) + "\">";
    }

    /**
     * A chart inline, or where Java cannot draw text (a machine without fontconfig and fonts:
     * "Fontconfig head is null") a line saying so: the report's numbers do not depend on it.
     */
    private static String chart(Supplier<byte[]> png, String alt) {
        try {
            return img(png.get(), alt);
        } catch (RuntimeException | LinkageError e) {
            return "<p class=\"note\">Chart '" + esc(alt) + "' left out: Java could not draw it here (" + esc(String.valueOf(e.getMessage()))
                    + "); install fontconfig and a font (Debian: apt-get install fontconfig fonts-dejavu-core) for charts.</p>";
        }
    }

    static String of(RunReport r) throws IOException {
        RunReport.Results res = r.results();
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(esc(res.recipe())).append(" — Kinglet report</title>\n")
                .append("<script>window.kingletErrors=[];window.addEventListener('error',function(e){kingletErrors.push(e.message||('cannot load '+(e.target&&e.target.src?e.target.src.slice(0,60):'a resource')));},true);")
                .append("window.addEventListener('load',function(){var bad=[].filter.call(document.images,function(i){return !i.complete||i.naturalWidth===0;});")
                .append("document.body.setAttribute('data-check',(bad.length||kingletErrors.length)?('failed: '+bad.length+' broken image(s); '+kingletErrors.join('; ')):'ok');});</script>\n")
                .append("<style>body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1200px;padding:0 1em;color:#222}")
                .append("table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}")
                .append("th{background:#f3f3f3}td.l,th.l{text-align:left}.good{color:#0a6d2c;font-weight:600}.bad{color:#a1261d}")
                .append("pre{background:#f7f7f7;padding:1em;overflow:auto;max-height:30em}img{max-width:100%;margin:.5em 0}.note{color:#555}")
                .append(".warn{background:#fff4e5;border:1px solid #f0b35b;padding:.5em 1em}</style></head><body>\n");
        h.append("<h1>").append(esc(res.recipe())).append("</h1>\n");
        if (!res.description().isBlank()) h.append("<p>").append(esc(res.description())).append("</p>\n");
        h.append("<p class=\"note\">Plan: ").append(esc(res.plan())).append(". ").append(esc(res.modelSelection())).append("</p>\n");
        if (!res.missing().isEmpty()) {
            h.append("<div class=\"warn\"><b>").append(res.missing().size()).append(" result(s) missing</b> — not counted in any mean (never as zero):<ul>");
            res.missing().stream().limit(50).forEach(m -> h.append("<li>").append(esc(m)).append("</li>"));
            if (res.missing().size() > 50) h.append("<li>… and ").append(res.missing().size() - 50).append(" more (results.json lists all)</li>");
            h.append("</ul></div>\n");
        }
        for (String n : res.notices()) h.append("<p class=\"note\">Notice: ").append(esc(n)).append("</p>\n");
        List<String> warnings = RunReport.warnings(res);
        if (!warnings.isEmpty()) {
            h.append("<div class=\"warn\"><b>Read this first</b><ul>");
            warnings.forEach(w -> h.append("<li>").append(esc(w)).append("</li>"));
            h.append("</ul></div>\n");
        }

        // summary
        h.append("<h2>Summary</h2>\n<p class=\"note\">Ranked within each point by the paired lift over the best baseline (or by accuracy when there is no baseline). ")
                .append("Intervals are 95% Student-t intervals over folds and seeds; lifts are paired differences on the same splits. ")
                .append("A lift whose interval excludes zero is in <span class=\"good\">green</span> (better) or <span class=\"bad\">red</span> (worse).</p>\n");
        h.append("<table><tr><th>rank</th><th class=\"l\">variant</th><th class=\"l\">point</th><th>results</th>");
        for (String metric : res.metrics()) h.append("<th>").append(label(metric)).append("</th>");
        h.append("<th>lift over best baseline</th><th>vs base (").append(label(res.metrics().get(0))).append(")</th></tr>\n");
        for (RunReport.Row row : res.summary()) {
            var m = row.metrics();
            h.append("<tr><td>").append(row.rank() == null ? "–" : row.rank()).append("</td><td class=\"l\">").append(esc(row.variant()))
                    .append(row.ensemble() ? " (ensemble)" : "").append("</td><td class=\"l\">").append(esc(row.point())).append("</td><td>").append(row.results()).append("</td>");
            for (String metric : res.metrics()) h.append("<td>").append(format(metric, m.get(metric))).append("</td>");
            h.append(liftCell(row.lift())).append(liftCell(row.vsBase())).append("</tr>\n");
        }
        h.append("</table>\n");
        if (!res.baselines().isEmpty()) {
            h.append("<h3>Baselines</h3>\n<p class=\"note\">Trained on exactly the labelled images of each deep job's point, fold and seed; tested on the same test split.</p>\n<table><tr><th class=\"l\">model</th><th class=\"l\">point</th><th>accuracy</th><th>best</th></tr>\n");
            for (RunReport.BaselineRow b : res.baselines()) {
                h.append("<tr><td class=\"l\">").append(esc(b.model())).append("</td><td class=\"l\">").append(esc(b.point())).append("</td><td>")
                        .append(pct(b.accuracy())).append("</td><td>").append(b.best() ? "✓" : "").append("</td></tr>\n");
            }
            h.append("</table>\n");
        }
        List<String> points = res.summary().stream().map(RunReport.Row::point).distinct().toList();
        if (points.size() > 1 || res.summary().size() > 1) {
            Map<String, List<Stats.Summary>> byVariant = new LinkedHashMap<>();
            for (RunReport.Row row : res.summary()) {
                byVariant.computeIfAbsent(row.variant(), k -> new ArrayList<>(java.util.Collections.nCopies(points.size(), null)))
                        .set(points.indexOf(row.point()), row.metrics().get(res.metrics().get(0)));
            }
            if (res.learningCurves().isEmpty() && res.metrics().get(0).equals("accuracy")) {
                h.append(chart(() -> Charts.summary(points, byVariant), "test accuracy by variant")).append('\n');
            }
        }

        // learning curves
        if (!res.learningCurves().isEmpty()) {
            h.append("<h2>Learning curves</h2>\n").append(chart(() -> Charts.learningCurves(res.learningCurves()), "learning curves")).append('\n');
            h.append("<p class=\"note\">Dashed: the saturating power law accuracy = a − b·n<sup>−c</sup> fitted to each curve's means; ")
                    .append("the estimate's interval comes from refitting to bootstrap resamples of the seeds.</p>\n");
            h.append("<table><tr><th class=\"l\">curve</th><th>a (asymptote)</th><th>b</th><th>c</th><th>fit RMSE</th><th class=\"l\">to reach the target</th></tr>\n");
            for (RunReport.Curve c : res.learningCurves()) {
                h.append("<tr><td class=\"l\">").append(esc(c.name())).append("</td>");
                if (c.fit() == null) {
                    h.append("<td colspan=\"4\">no fit (fewer than 3 points)</td>");
                } else {
                    h.append(String.format(Locale.ROOT, "<td>%.2f%%</td><td>%.3f</td><td>%.3f</td><td>%.2f points</td>", 100 * c.fit().a(), c.fit().b(), c.fit().c(), 100 * c.fit().rmse()));
                }
                var e = c.estimate();
                h.append("<td class=\"l\">").append(e == null ? "–" : esc(String.format(Locale.ROOT, "%.1f%%: ", 100 * e.target()) + e.verdict()
                        + (e.verdict().startsWith("about") ? " " + c.unit() : ""))).append("</td></tr>\n");
            }
            h.append("</table>\n");
        }

        // training curves: each variant's first job at the last point
        // the largest point with a finished result (an interrupted run may not have reached the last)
        String lastPoint = points.isEmpty() ? null : points.get(points.size() - 1);
        for (int i = points.size() - 1; i >= 0; i--) {
            String p = points.get(i);
            if (res.summary().stream().anyMatch(row -> row.point().equals(p) && row.results() > 0)) {
                lastPoint = p;
                break;
            }
        }
        String shownPoint = lastPoint;
        Map<String, List<double[]>> loss = new LinkedHashMap<>(), val = new LinkedHashMap<>();
        for (RunReport.JobRow j : res.jobs()) {
            if (!j.point().equals(shownPoint) || j.fold() != 0 || j.seed() != 0 || j.member() != 0 || !j.state().equals("done")) continue;
            List<RunReport.Epoch> ep = r.curves.getOrDefault(j.id(), List.of());
            loss.put(j.variant(), ep.stream().filter(e -> e.trainLoss() != null).map(e -> new double[] {e.epoch(), e.trainLoss()}).toList());
            val.put(j.variant(), ep.stream().filter(e -> e.validationAccuracy() != null).map(e -> new double[] {e.epoch(), 100 * e.validationAccuracy()}).toList());
        }
        if (loss.values().stream().anyMatch(l -> !l.isEmpty())) {
            h.append("<h2>Training curves</h2>\n<p class=\"note\">Each variant's first job (fold 0, seed 0, member 0) at ").append(esc(lastPoint)).append(".</p>\n");
            h.append(chart(() -> Charts.epochs("Training loss", "loss", loss), "training loss")).append('\n');
            if (val.values().stream().anyMatch(l -> !l.isEmpty())) h.append(chart(() -> Charts.epochs("Validation accuracy", "accuracy (%)", val), "validation accuracy")).append('\n');
        }

        // confusion and reliability of the best variant at the last point
        RunReport.Row top = res.summary().stream().filter(x -> x.point().equals(shownPoint) && x.rank() != null && x.rank() == 1).findFirst().orElse(null);
        if (top != null) {
            List<RunReport.Unit> mine = r.units.stream().filter(u -> u.variant().equals(top.variant()) && u.point().equals(top.point()) && u.test() != null).toList();
            long[][] confusion = null;
            double[] count = new double[dev.kinglet.train.Evaluation.CALIBRATION_BINS], conf = new double[count.length], acc = new double[count.length];
            for (RunReport.Unit u : mine) {
                JsonNode cm = u.test().get("confusion");
                if (cm != null) {
                    int k = cm.size();
                    if (confusion == null) confusion = new long[k][k];
                    for (int t = 0; t < k; t++) for (int p = 0; p < k; p++) confusion[t][p] += cm.get(t).get(p).asLong();
                }
                JsonNode rel = u.test().get("reliability");
                if (rel != null) {
                    for (int b = 0; b < Math.min(rel.size(), count.length); b++) {
                        int n = rel.get(b).get("images").asInt();
                        if (n == 0) continue;
                        count[b] += n;
                        conf[b] += n * rel.get(b).get("confidence").asDouble();
                        acc[b] += n * rel.get(b).get("accuracy").asDouble();
                    }
                }
            }
            String who = top.variant() + (top.point().equals("all") ? "" : " @ " + top.point()) + ", " + mine.size() + " result(s) pooled";
            if (confusion != null) {
                List<String> classes = new ArrayList<>();
                mine.get(0).test().get("perClass").propertyNames().forEach(classes::add);
                long[][] pooled = confusion;
                if (classes.size() == pooled.length) {
                    h.append("<h2>Confusion matrix</h2>\n").append(chart(() -> Charts.confusion("Confusion matrix: " + who, classes, pooled), "confusion matrix")).append('\n');
                }
            }
            List<double[]> bins = new ArrayList<>();
            double ece = 0, total = 0;
            for (int b = 0; b < count.length; b++) {
                if (count[b] == 0) continue;
                bins.add(new double[] {conf[b] / count[b], acc[b] / count[b]});
                ece += Math.abs(acc[b] - conf[b]);
                total += count[b];
            }
            if (!bins.isEmpty()) {
                h.append("<h2>Calibration</h2>\n").append(chart(() -> Charts.reliability("Reliability diagram: " + who, bins), "reliability diagram")).append('\n')
                        .append(String.format(Locale.ROOT, "<p class=\"note\">Expected calibration error of the pooled predictions: %.4f (%d equal-width bins).</p>%n",
                                ece / total, count.length));
            }
        }

        // ensembles
        if (!res.ensembles().isEmpty()) {
            List<String> names = new ArrayList<>();
            List<List<Double>> members = new ArrayList<>();
            List<Double> ensemble = new ArrayList<>();
            h.append("<h2>Ensembles</h2>\n");
            StringBuilder table = new StringBuilder("<table><tr><th>#</th><th class=\"l\">ensemble</th><th>members' accuracy</th><th>ensemble accuracy</th><th>mean entropy</th><th>disagreement</th></tr>\n");
            for (JsonNode e : res.ensembles()) {
                names.add(e.get("id").asString());
                List<Double> ma = new ArrayList<>();
                e.get("memberAccuracies").forEach(a -> ma.add(a.asDouble()));
                members.add(ma);
                ensemble.add(e.get("accuracy").asDouble());
                table.append(String.format(Locale.ROOT, "<tr><td>%d</td><td class=\"l\">%s</td><td>%s</td><td>%.2f%%</td><td>%.3f</td><td>%.3f</td></tr>%n", names.size(),
                        esc(e.get("id").asString()), ma.stream().map(a -> String.format(Locale.ROOT, "%.2f", 100 * a)).toList(), 100 * e.get("accuracy").asDouble(),
                        e.get("meanEntropy").asDouble(), e.get("meanDisagreement").asDouble()));
            }
            h.append(chart(() -> Charts.ensembles(names, members, ensemble), "ensemble members vs ensemble")).append('\n').append(table).append("</table>\n");
        }

        tuning(r.dir(), res.tuning(), h);

        // pictures the run saved
        Path preview = r.dir().resolve(RunFiles.AUGMENT_PREVIEW);
        if (Files.isRegularFile(preview)) {
            h.append("<h2>Augmentation samples</h2>\n<p class=\"note\">Each row: the original through the evaluation pipeline, then draws of the training pipeline.</p>\n")
                    .append(img(Files.readAllBytes(preview), "augmentation samples")).append('\n');
        }
        Path pretrain = r.dir().resolve("pretrain");
        if (Files.isDirectory(pretrain)) {
            try (var s = Files.walk(pretrain, 3)) {
                for (Path png : s.filter(p -> p.toString().endsWith(".png")).sorted().toList()) {
                    h.append("<h2>Pre-training: ").append(esc(r.dir().relativize(png).toString())).append("</h2>\n").append(img(Files.readAllBytes(png), "pre-training preview")).append('\n');
                }
            }
        }

        // jobs, recipe, provenance
        h.append("<h2>Jobs</h2>\n<table><tr><th class=\"l\">job</th><th class=\"l\">state</th><th>training images</th>");
        List<String> jobMetrics = res.metrics().subList(0, Math.min(2, res.metrics().size()));
        for (String metric : jobMetrics) h.append("<th>").append(label(metric)).append("</th>");
        boolean selfTrained = res.jobs().stream().anyMatch(j -> j.pseudoLabels() != null);
        if (selfTrained) h.append("<th>pseudo-labels (of pool or draws)</th><th>pseudo-labels right</th><th>teacher accuracy</th>");
        h.append("<th>train s</th><th class=\"l\">error</th></tr>\n");
        for (RunReport.JobRow j : res.jobs()) {
            h.append("<tr><td class=\"l\">").append(esc(j.id())).append("</td><td class=\"l\">").append(esc(j.state())).append("</td><td>")
                    .append(j.trainImages() == null ? "–" : j.trainImages()).append("</td>");
            for (String metric : jobMetrics) {
                Double v = j.metrics().get(metric);
                h.append("<td>").append(v == null ? "–" : metric.equals("accuracy") ? String.format(Locale.ROOT, "%.2f%%", 100 * v) : String.format(Locale.ROOT, "%.4f", v)).append("</td>");
            }
            if (selfTrained) {
                var p = j.pseudoLabels();
                h.append(p == null ? "<td>–</td><td>–</td><td>–</td>" : String.format(Locale.ROOT, "<td>%,d of %,d%s (%.1f%%)</td><td>%s</td><td>%s</td>",
                        p.pseudoLabels(), p.of(), p.method().equals("fixMatch") ? " unlabelled draws" : "", 100 * p.rate(),
                        p.accuracy() == null ? "–" : String.format(Locale.ROOT, "%.1f%%", 100 * p.accuracy()),
                        p.teacherTestAccuracy() == null ? "– (FixMatch)" : String.format(Locale.ROOT, "%.2f%%", 100 * p.teacherTestAccuracy())));
            }
            h.append("<td>")
                    .append(j.trainSeconds() == null ? "–" : String.format(Locale.ROOT, "%.1f", j.trainSeconds())).append("</td><td class=\"l\">")
                    .append(esc(j.error())).append("</td></tr>\n");
        }
        h.append("</table>\n<h2>Recipe</h2>\n<pre>").append(esc(RecipeIo.toJson(r.recipe))).append("</pre>\n");
        if (res.provenance() != null) h.append("<h2>Provenance</h2>\n<pre>").append(esc(Json.PRETTY.writeValueAsString(res.provenance()))).append("</pre>\n");
        h.append("<p class=\"note\">Every number here is in results.json (schema: results.schema.json). Rebuild with <code>kinglet report ")
                .append(esc(r.dir().toString())).append("</code>.</p>\n</body></html>\n");
        return h.toString();
    }

    private static String liftCell(RunReport.Lift lift) {
        if (lift == null) return "<td>–</td>";
        Stats.Summary d = lift.difference();
        String cls = d.excludesZero() ? (d.mean() > 0 ? " class=\"good\"" : " class=\"bad\"") : "";
        return "<td" + cls + " title=\"against " + esc(lift.against()) + "\">" + points(d) + "</td>";
    }

    /** The searches of a tuned run, if any: the budget, and per variant and point every trial, how far it got and its score. */
    private static void tuning(Path dir, JsonNode summary, StringBuilder h) throws IOException {
        Path tune = dir.resolve("tune");
        if (!Files.isDirectory(tune)) return;
        h.append("<h2>Hyper-parameter search</h2>\n");
        if (summary != null) h.append("<pre>").append(esc(Json.PRETTY.writeValueAsString(summary))).append("</pre>\n");
        List<Path> searches;
        try (var s = Files.walk(tune, 3)) {
            searches = s.filter(p -> p.getFileName().toString().equals("trials.jsonl")).sorted().toList();
        }
        for (Path trials : searches) {
            Path search = trials.getParent();
            h.append("<h3>").append(esc(tune.relativize(search).toString())).append("</h3>\n");
            JsonNode best = RunReport.readJson(search.resolve("best.json"));
            if (best != null && best.hasNonNull("scoredBy")) h.append("<p>Trials scored by ").append(esc(best.get("scoredBy").asString())).append(".</p>\n");
            if (best != null && best.hasNonNull("warning")) h.append("<p class=\"bad\">Warning: ").append(esc(best.get("warning").asString())).append("</p>\n");
            if (best != null) h.append("<p>Chosen: <code>").append(esc(Json.LINE.writeValueAsString(best))).append("</code></p>\n");
            Map<String, List<double[]>> curves = new LinkedHashMap<>();
            h.append("<table><tr><th class=\"l\">trial (configuration, validation curve, where it stopped)</th></tr>\n");
            for (String line : Files.readAllLines(trials)) {
                if (line.isBlank()) continue;
                h.append("<tr><td class=\"l\"><code>").append(esc(line)).append("</code></td></tr>\n");
                try {
                    JsonNode n = Json.LINE.readTree(line);
                    JsonNode curve = n.get("curve");
                    if (curve != null && curve.isArray()) {
                        List<double[]> pts = new ArrayList<>();
                        for (JsonNode p : curve) {
                            JsonNode y = p.hasNonNull("accuracy") ? p.get("accuracy") : p.get("loss");
                            if (p.has("epoch") && y != null && y.isNumber()) pts.add(new double[] {p.get("epoch").asDouble(), y.asDouble()});
                        }
                        curves.put("trial " + (n.has("trial") ? n.get("trial").asString() : String.valueOf(curves.size())), pts);
                    }
                } catch (RuntimeException torn) {
                    // a line cut off by a kill: shown as text only
                }
            }
            h.append("</table>\n");
            if (!curves.isEmpty()) h.append(chart(() -> Charts.epochs("Trials: validation accuracy (loss if none) per epoch", "validation metric", curves), "search curves")).append('\n');
        }
    }
}
