package dev.kinglet.tools;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

import dev.kinglet.run.*;
import dev.kinglet.data.Datasets;
import dev.kinglet.data.ImageSet;
import dev.kinglet.dsl.Recipe;
import dev.kinglet.natives.Device;
import dev.kinglet.natives.NativeRuntime;
import dev.kinglet.rundir.Job;
import dev.kinglet.train.Learner;
import dev.kinglet.train.LrFinder;
import dev.kinglet.util.AtomicFiles;
import dev.kinglet.util.Json;

/**
 * {@code kinglet lr-find}: the learning-rate range test ({@link LrFinder}) on the model, data,
 * loss and augmentation of a recipe's first job, built as the runner builds it, with the body
 * frozen when the recipe fine-tunes with frozen epochs (the rate of the first stage is probed).
 * Writes {@code lr-find.png} (smoothed loss against the rate, log scale, both suggestions marked)
 * and {@code lr-find.json}. Nothing is trained for keeps: the model is thrown away after.
 */
public final class LrFind {
    public static final double START = 1e-7, END = 10;
    public static final int STEPS = 100;

    private LrFind() {}

    public static LrFinder.Result run(Recipe r, Path dataBase, Device device, int threads, Path outDir, PrintStream out) throws IOException {
        Plan plan = Plan.of(r);
        Support.check(r, plan).throwIfRefused();
        Job job = plan.jobs().get(0);
        NativeRuntime.Info info = NativeRuntime.start(threads, r.seed(), device);
        LrFinder.Result result;
        try (Datasets.Split split = Datasets.load(r.data(), dataBase, r.seed())) {
            try (JobRunner.JobData d = JobRunner.jobData(r, split, job)) {
                ImageSet train = d.train();
                try (ImageSet none = train.select(new int[0]);
                     Training t = Training.open(r, train, none, split.train().classes(), job.initSeed(), dataBase, info.device(), out, false, "lr-find")) {
                    Learner learner = t.learner();
                    learner.remove(t.schedule()); // the probe sets the rate itself
                    if (r.train().fineTune() != null && r.train().fineTune().freezeEpochs() > 0) t.net().freezeBody();
                    out.printf(Locale.ROOT, "lr-find %s: %d training images, up to %d steps of batch %d, lr %.0e to %.0e%n", r.name(), train.size(),
                            STEPS, r.train().batchSize(), START, END);
                    result = LrFinder.run(learner, START, END, STEPS);
                }
            }
        }
        Files.createDirectories(outDir);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("recipe", r.name());
        json.put("job", job.id());
        json.put("suggestion", ordered("lr", result.valley(), "method", "valley"));
        json.put("valley", result.valley());
        json.put("steep", result.steep());
        json.put("diverged", result.diverged());
        json.put("smoothing", ordered("beta", LrFinder.BETA, "debiased", true));
        json.put("lrs", result.lrs());
        json.put("losses", result.losses());
        AtomicFiles.writeString(outDir.resolve("lr-find.json"), Json.PRETTY.writeValueAsString(json));
        AtomicFiles.write(outDir.resolve("lr-find.png"), BitmapEncoder.getBitmapBytes(chart(r.name(), result), BitmapEncoder.BitmapFormat.PNG));
        out.printf(Locale.ROOT, "%d steps%s; suggested lr %.2e (valley: about halfway down the longest descent of the loss); "
                        + "steepest descent at %.2e; the recipe's lr is %.2e%n", result.lrs().length, result.diverged() ? ", stopped when the loss diverged" : "",
                result.valley(), result.steep(), r.train().optimizer().lr());
        out.println("wrote " + outDir.resolve("lr-find.png") + " and " + outDir.resolve("lr-find.json"));
        return result;
    }

    private static XYChart chart(String name, LrFinder.Result r) {
        XYChart chart = new XYChartBuilder().width(800).height(500).title("lr-find: " + name)
                .xAxisTitle("learning rate (log scale)").yAxisTitle("training loss (smoothed)").build();
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNE);
        chart.getStyler().setXAxisDecimalPattern("0.0E0");
        XYSeries curve = chart.addSeries("loss", r.lrs(), r.losses());
        curve.setMarker(SeriesMarkers.NONE);
        for (var p : ordered("valley", r.valley(), "steep", r.steep()).entrySet()) {
            double lr = (Double) p.getValue();
            int i = nearest(r.lrs(), lr);
            XYSeries s = chart.addSeries(String.format(Locale.ROOT, "%s %.1e", p.getKey(), lr), new double[] {r.lrs()[i]}, new double[] {r.losses()[i]});
            s.setMarker(p.getKey().equals("valley") ? SeriesMarkers.CIRCLE : SeriesMarkers.DIAMOND);
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        }
        // the last points may shoot up by orders of magnitude: keep the curve's shape readable
        chart.getStyler().setYAxisMax(Math.min(Arrays.stream(r.losses()).max().orElseThrow(), 4 * Arrays.stream(r.losses()).min().orElseThrow() + 0.1));
        return chart;
    }

    private static Map<String, Object> ordered(String k1, Object v1, String k2, Object v2) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(k1, v1);
        m.put(k2, v2);
        return m;
    }

    private static int nearest(double[] lrs, double lr) {
        int best = 0;
        for (int i = 1; i < lrs.length; i++) if (Math.abs(Math.log(lrs[i] / lr)) < Math.abs(Math.log(lrs[best] / lr))) best = i;
        return best;
    }
}
