package dev.kinglet.run;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.kinglet.augment.Augmenter;
import dev.kinglet.data.Datasets;
import dev.kinglet.data.ImageSet;
import dev.kinglet.dsl.AugmentOp;
import dev.kinglet.dsl.FixMatch;
import dev.kinglet.dsl.Recipe;
import dev.kinglet.dsl.RecipeException;
import dev.kinglet.rundir.Job;
import dev.kinglet.train.UnlabelledStream;

/**
 * FixMatch ({@code semiSupervised: {type: fixMatch}}) for one job: the unlabelled images — the
 * job's training part without its labelled subset, by construction never its validation images
 * nor the test split, or those of {@code semiSupervised.data} (refused if any is a test image,
 * {@link UnlabelledData}), capped at random to {@code pool} — and their weak (the recipe's
 * {@code augment.train}) and strong ({@code augment.train} then {@code semiSupervised.strong})
 * pipelines, streamed into the job's learner. The EMA it is evaluated with is
 * {@link Techniques}'. What it did goes into the job's line and results.json.
 */
final class FixMatchJob implements AutoCloseable {
    private final FixMatch settings;
    private final ImageSet pool;
    private final UnlabelledData.Images source;
    private final UnlabelledStream stream;
    private final String what;

    private FixMatchJob(FixMatch settings, ImageSet pool, UnlabelledData.Images source, UnlabelledStream stream, String what) {
        this.settings = settings;
        this.pool = pool;
        this.source = source;
        this.stream = stream;
        this.what = what;
    }

    /** Streams {@code f}'s unlabelled images into {@code t}'s learner (which then closes the stream); the caller closes the returned job after training. */
    static FixMatchJob attach(Recipe r, FixMatch f, Training t, Job job, JobRunner.JobData d, Datasets.Split split, Path dataBase, PrintStream out)
            throws IOException {
        boolean external = f.data() != null && !f.data().equals(r.data().source());
        UnlabelledData.Images source = external ? UnlabelledData.load(f.data(), "semiSupervised.data", r, split, dataBase) : null;
        ImageSet pool = null;
        try {
            String what;
            boolean truthKnown;
            if (external) {
                int[] all = new int[source.set().size()];
                for (int i = 0; i < all.length; i++) all[i] = i;
                int[] drawn = SelfTraining.draw(all, f.pool(), job.subsetSeed());
                pool = source.set().select(drawn);
                truthKnown = source.labelled();
                what = drawn.length + " of " + source.what();
            } else {
                int[] drawn = SelfTraining.pool(d, f.pool(), job.subsetSeed());
                if (drawn.length == 0) {
                    throw new RecipeException("semiSupervised", "the labelled subset is the whole training part: no unlabelled images are left for FixMatch; "
                            + "label fewer (learningCurve.sizes, data.subset) or set semiSupervised.data");
                }
                pool = d.trainPart().select(drawn);
                truthKnown = true;
                what = drawn.length + " training images outside the labelled subset, without their labels";
            }
            Augmenter weak = t.pipes().train();
            List<AugmentOp> strongOps = new ArrayList<>(r.augment().train());
            strongOps.addAll(f.strong());
            Augmenter strong = new Augmenter(strongOps, d.train().classes(), "semiSupervised.strong");
            var px = d.train().pixels();
            int[] size = t.size(), strongSize = strong.outputSize(px.height(), px.width());
            if (strongSize[0] != size[0] || strongSize[1] != size[1]) {
                throw new RecipeException("semiSupervised.strong", "ends at " + strongSize[0] + "x" + strongSize[1] + " but augment.train at " + size[0] + "x" + size[1]
                        + ": the strong view must keep the size; leave resizes and crops out of it");
            }
            int batch = f.ratio() * r.train().batchSize();
            boolean flex = f.thresholds() == FixMatch.Thresholds.FLEX_MATCH;
            var stream = new UnlabelledStream(pool, truthKnown, batch, weak, strong, t.norm(), size[0], size[1], f.threshold(), f.weight(),
                    job.initSeed() ^ 0x6669786d61L, flex ? d.train().classes().size() : 0);
            t.learner().unlabelled(stream);
            out.printf(Locale.ROOT, "job %s: FixMatch on %s: %d per step (ratio %d), threshold %.2f%s, weight %.2f%n", job.id(), what, batch, f.ratio(),
                    f.threshold(), flex ? " scaled per class by FlexMatch's curriculum" : "", f.weight());
            return new FixMatchJob(f, pool, source, stream, what);
        } catch (RuntimeException e) {
            if (pool != null) pool.close();
            if (source != null) source.close();
            throw e;
        }
    }

    /** ", 41.2% of 336,000 unlabelled views pseudo-labelled (93.1% right)" for the job's line. */
    String summaryLine() {
        var c = stream.total();
        return String.format(Locale.ROOT, "; FixMatch: %.1f%% of %,d unlabelled images passed %s%.2f%s", 100 * c.rate(), c.images(),
                stream.flexThresholds() == null ? "" : "FlexMatch's thresholds, at most ", settings.threshold(),
                c.accuracy() == null ? "" : String.format(Locale.ROOT, " (%.1f%% of them right)", 100 * c.accuracy()));
    }

    /** For the job's results.json: the settings, the pool, and the pseudo-labels over the fit and its last epoch. */
    Map<String, Object> summary() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "fixMatch");
        m.put("settings", settings);
        m.put("poolImages", pool.size());
        m.put("pool", what);
        m.put("fit", counts(stream.total()));
        m.put("lastEpoch", counts(stream.epoch()));
        double[] flex = stream.flexThresholds();
        if (flex != null) {
            Map<String, Double> perClass = new LinkedHashMap<>();
            List<String> classes = pool.classes();
            for (int c = 0; c < flex.length; c++) perClass.put(c < classes.size() ? classes.get(c) : String.valueOf(c), flex[c]);
            m.put("flexThresholdsAtEnd", perClass);
        }
        return m;
    }

    private static Map<String, Object> counts(UnlabelledStream.Counts c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("unlabelledImages", c.images());
        m.put("pseudoLabels", c.pseudoLabels());
        m.put("rate", c.rate());
        m.put("accuracy", c.accuracy());
        return m;
    }

    @Override
    public void close() {
        stream.close(); // its loader threads read the pool
        pool.close();
        if (source != null) source.close();
    }
}
