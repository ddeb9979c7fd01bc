package dev.kinglet.run;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.bytedeco.pytorch.Tensor;

import dev.kinglet.augment.Augmenter;
import dev.kinglet.augment.Pipelines;
import dev.kinglet.data.Datasets;
import dev.kinglet.data.ImageSet;
import dev.kinglet.data.Loader;
import dev.kinglet.dsl.Adam;
import dev.kinglet.dsl.Autoencoder;
import dev.kinglet.dsl.Grayscale;
import dev.kinglet.dsl.Recipe;
import dev.kinglet.dsl.RecipeException;
import dev.kinglet.dsl.RecipeIo;
import dev.kinglet.model.AutoencoderNet;
import dev.kinglet.model.Network;
import dev.kinglet.model.WeightLoader;
import dev.kinglet.natives.BatchBuffer;
import dev.kinglet.natives.Device;
import dev.kinglet.natives.Image;
import dev.kinglet.natives.NativeRuntime;
import dev.kinglet.natives.Normalization;
import dev.kinglet.natives.Previews;
import dev.kinglet.natives.Scope;
import dev.kinglet.natives.StateDict;
import dev.kinglet.train.Callback;
import dev.kinglet.train.Learner;
import dev.kinglet.train.LearnerConfig;
import dev.kinglet.train.Objective;
import dev.kinglet.util.AtomicFiles;
import dev.kinglet.util.Json;
import tools.jackson.databind.JsonNode;

/**
 * Unsupervised pre-training ({@code pretrain: {type: autoencoder}}): a convolutional, denoising
 * autoencoder whose encoder is the classifier's body ({@link AutoencoderNet}) learns to
 * reconstruct the pre-training images (by default the training split without labels, never the
 * test split); the classifier's body then starts from its weights and the head from scratch.
 *
 * <p>A pre-training directory holds {@code encoder.pth} (the body's state dict under the
 * classifier's keys), {@code metrics.jsonl} (per epoch: training loss on noisy input,
 * reconstruction loss of a fixed probe set on clean input; epoch 0 is before training),
 * {@code reconstructions.png} (probe images above their reconstructions) and, written last,
 * {@code encoder.json}: the digest of everything the encoder depends on (the pretrain and
 * architecture sections, the pre-training images, their eval pipeline and normalisation, the
 * seed). An encoder whose digest matches is reused; an interrupted pre-training starts again.
 */
public final class Pretraining {
    public static final String ENCODER = "encoder.pth", DESCRIPTION = "encoder.json", METRICS = "metrics.jsonl", PREVIEW = "reconstructions.png";
    /** Written before a pre-training starts, removed when its encoder is written: the digest its checkpoints belong to. */
    static final String TRAINING = "training.json";
    /** Probe images whose clean reconstruction loss is logged each epoch; the first {@link #PREVIEWS} are drawn. */
    static final int PROBE = 512, PREVIEWS = 10;

    private Pretraining() {}

    /**
     * A pre-trained encoder: its file, the normalisation it was trained with (the fine-tuned
     * classifier must see its input the same way) and whether an earlier session made it; or,
     * when the pre-training failed, why ({@code failure}), which fails that variant's jobs alone.
     */
    public record Encoder(Path file, Normalization normalization, boolean reused, String failure) {
        Encoder(Path file, Normalization normalization, boolean reused) {
            this(file, normalization, reused, null);
        }

        static Encoder failed(String why) {
            return new Encoder(null, null, false, why);
        }

        public boolean isFailed() {
            return failure != null;
        }
    }

    /**
     * The encoder of every variant with a {@code pretrain} section, pre-trained once per distinct
     * pre-training: the first in {@code runDir/pretrain}, others in {@code runDir/pretrain-<variant>}.
     * A pre-training that fails (a NaN loss or an unreadable image, say) is reported and recorded as that variant's
     * {@linkplain Encoder#failed failed} encoder: the other variants still run. A recipe error stops the run.
     */
    public static Map<String, Encoder> ensureAll(Plan plan, SplitSource data, Path runDir, Path dataBase, Device device, PrintStream out, boolean terminal) throws IOException {
        Map<String, Encoder> byVariant = new LinkedHashMap<>();
        Map<String, String> firstOf = new HashMap<>();
        for (var e : plan.variants().entrySet()) {
            Recipe r = e.getValue();
            if (r.pretrain() == null) continue;
            String identity = identity(r).toString();
            String first = firstOf.get(identity);
            if (first != null) {
                byVariant.put(e.getKey(), byVariant.get(first));
                out.println("pretrain: variant " + e.getKey() + " shares the encoder of " + first);
                continue;
            }
            Path dir = runDir.resolve(firstOf.isEmpty() ? "pretrain" : "pretrain-" + e.getKey());
            Encoder encoder;
            try {
                encoder = ensure(r, data.get(r.data(), r.seed()), dir, dataBase, device, out, terminal, List.of());
            } catch (RecipeException bad) {
                throw bad;
            } catch (IOException | RuntimeException failed) {
                String where = e.getKey().equals("base") ? "pretrain" : "variants[" + e.getKey() + "], its pretrain";
                String why = "pre-training of variant " + e.getKey() + " (recipe path " + where + ") failed: " + failed.getMessage();
                out.println(why + "; its jobs are marked failed, the other variants run");
                encoder = Encoder.failed(why);
            }
            byVariant.put(e.getKey(), encoder);
            firstOf.put(identity, e.getKey());
        }
        return byVariant;
    }

    /** The encoder of {@code r}'s pre-training in {@code dir}: reused when its digest matches, else trained now. */
    public static Encoder ensure(Recipe r, Datasets.Split data, Path dir, Path dataBase, Device device, PrintStream out) throws IOException {
        return ensure(r, data, dir, dataBase, device, out, false, List.of());
    }

    /** {@link #ensure}, with a live progress bar when {@code terminal}, and {@code extra} callbacks on the training loop. */
    static Encoder ensure(Recipe r, Datasets.Split data, Path dir, Path dataBase, Device device, PrintStream out, boolean terminal,
                          List<Callback> extra) throws IOException {
        Autoencoder spec = switch (r.pretrain()) {
            case Autoencoder a -> a;
            case null -> throw new IllegalArgumentException("recipe " + r.name() + " has no pretrain section");
        };
        Files.createDirectories(dir);
        try (UnlabelledData.Images images = UnlabelledData.forPretraining(r, data, dataBase)) {
            ImageSet set = images.set();
            Pipelines pipes = Pipelines.of(r.augment(), data.train().classes());
            Normalization norm = pipes.normalization().orElseGet(set::statistics);
            int[] size = pipes.eval().outputSize(set.pixels().height(), set.pixels().width());
            Map<String, Object> description = new LinkedHashMap<>();
            String digest = digest(r, set, norm, size);
            description.put("digest", digest);
            description.put("normalization", Map.of("mean", norm.mean(), "std", norm.std()));
            description.put("input", List.of(set.pixels().channels(), size[0], size[1]));
            description.put("images", set.size());
            description.put("imagesSha256", set.sha256());
            description.put("pretrain", RecipeIo.tree(spec));
            description.put("architecture", RecipeIo.tree(r.model().architecture()));
            description.put("seed", r.seed());
            Path file = dir.resolve(ENCODER), json = dir.resolve(DESCRIPTION);
            if (Files.isRegularFile(file) && describes(json, digest)) {
                out.println("pretrain: encoder " + file + " reused (same pretrain section, model and images)");
                return new Encoder(file, norm, true);
            }
            Files.deleteIfExists(json); // an old description must never vouch for the file about to be replaced
            out.printf(Locale.ROOT, "pretrain: autoencoder on %s, %d epochs, noise %.3g, lr %.3g, batch %d, into %s%n",
                    images.what(), spec.epochs(), spec.noise(), spec.lr(), spec.batchSize(), dir);
            description.putAll(train(r, spec, set, pipes.eval(), norm, size, data.train().numClasses(), dir, digest, device, out, terminal, extra));
            AtomicFiles.writeString(json, Json.PRETTY.writeValueAsString(description));
            return new Encoder(file, norm, false);
        }
    }

    /**
     * Loads the encoder into {@code net}'s body, strictly: every body key (parameters and
     * buffers) must be in the file with its shape, and nothing else; the head keeps its fresh
     * initialisation. Returns a one-line summary.
     */
    public static String initialise(Network net, Path encoderFile) throws IOException {
        List<String> head = new ArrayList<>();
        int last = net.layerGroups().size() - 1;
        net.state().forEach((k, t) -> {
            if (net.groupOf(k) == last) head.add(k);
            t.close();
        });
        try (StateDict sd = StateDict.read(encoderFile)) {
            WeightLoader.Report report = WeightLoader.load(net, ModelFiles.tensors(sd), false, false, Grayscale.SUM);
            if (!report.unexpected().isEmpty() || !report.mismatched().isEmpty() || report.adapted() != null
                    || !new HashSet<>(report.missing()).equals(new HashSet<>(head))) {
                throw new IllegalStateException(encoderFile + " does not fit the model's body: " + report.summary()
                        + " (only the head " + head + " may be missing); was it pre-trained for another architecture or image size?");
            }
            return "encoder " + encoderFile + ": " + report.loaded() + " body tensors loaded, head " + head + " freshly initialised";
        }
    }

    /** Whether {@code json} is an encoder description with this digest. */
    private static boolean describes(Path json, String digest) {
        if (!Files.isRegularFile(json)) return false;
        try {
            JsonNode d = Json.PRETTY.readTree(json.toFile()).get("digest");
            return d != null && d.isString() && d.asString().equals(digest);
        } catch (RuntimeException unreadable) {
            return false; // then the encoder is trained again and the description rewritten
        }
    }

    /** What decides which encoder a variant needs, apart from the images' content. */
    static JsonNode identity(Recipe r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pretrain", RecipeIo.tree(r.pretrain()));
        m.put("architecture", RecipeIo.tree(r.model().architecture()));
        m.put("data", RecipeIo.tree(r.data().withSplit(null).withSubset(null)));
        m.put("eval", RecipeIo.tree(r.augment().eval()));
        m.put("train", RecipeIo.tree(r.augment().train().stream().filter(op -> op instanceof dev.kinglet.dsl.AugmentOp.Normalize).toList()));
        m.put("seed", r.seed());
        return RecipeIo.tree(m);
    }

    private static String digest(Recipe r, ImageSet set, Normalization norm, int[] size) {
        String s = identity(r) + "|" + set.sha256() + "|" + norm + "|" + size[0] + "x" + size[1] + "|" + Provenance.kingletVersion();
        return Datasets.digest(s.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Trains the autoencoder through the one loop ({@link Learner#fit} with the reconstruction
     * objective, the probe images as its validation set): progress, metrics.jsonl and, unless
     * {@code output.checkpoints} is off, a checkpoint after every epoch, from which a pre-training
     * of the same digest ({@value #TRAINING} names it) resumes. Writes the encoder and the
     * preview; returns what the description records of it.
     */
    private static Map<String, Object> train(Recipe r, Autoencoder spec, ImageSet set, Augmenter eval, Normalization norm, int[] size, int classes,
                                             Path dir, String digest, Device device, PrintStream out, boolean terminal, List<Callback> extra) throws IOException {
        int channels = set.pixels().channels();
        Path metrics = dir.resolve(METRICS), training = dir.resolve(TRAINING);
        boolean checkpoints = r.output().checkpoints();
        Optional<Checkpoints.Saved> checkpoint = checkpoints && describes(training, digest) ? Checkpoints.read(dir) : Optional.empty();
        if (checkpoint.isPresent()) {
            JobRunner.keepMetricsThrough(metrics, checkpoint.get().epoch());
        } else {
            Files.deleteIfExists(metrics);
            Checkpoints.delete(dir);
            AtomicFiles.writeString(training, Json.PRETTY.writeValueAsString(Map.of("digest", digest)));
        }
        NativeRuntime.seed(r.seed());
        Network net = Network.build(r.model(), channels, size[0], size[1], classes);
        Map<String, Object> summary = new LinkedHashMap<>();
        long start = System.nanoTime();
        try (net; AutoencoderNet ae = new AutoencoderNet(net, channels, size[0], size[1]);
             ImageSet probes = set.select(spread(set.size(), Math.min(PROBE, set.size())));
             Objective objective = new Objective.Reconstruction(noiseStd(spec.noise(), norm, channels));
             Learner learner = new Learner(ae, device, set, norm, LearnerConfig.of(new Adam(spec.lr(), 0.0), spec.batchSize(), r.seed())
                     .withAugmenters(eval, eval).withObjective(objective))) {
            learner.validateOn(probes);
            learner.add(new Progress(out, terminal, "pretrain: ")).add(new MetricsLog(metrics));
            extra.forEach(learner::add);
            if (checkpoints) learner.add(new Checkpoints(dir, learner));
            double initial = learner.evaluateReconstruction(probes); // the fresh weights: the same in a resumed pre-training
            if (checkpoint.isPresent()) {
                Checkpoints.Saved c = checkpoint.get();
                out.println("pretrain: resuming after epoch " + c.epoch() + " from " + c.weights().getFileName());
                learner.resumeAfter(c.epoch(), c.step(), () -> Checkpoints.restore(c, learner));
            } else {
                MetricsLog.append(metrics, Map.of("epoch", 0, "reconstructionLoss", initial));
                out.printf(Locale.ROOT, "pretrain: epoch 0, probe reconstruction loss %.4f%n", initial);
            }
            try {
                learner.fit(spec.epochs());
            } catch (Learner.NonFiniteLossException e) {
                throw new IllegalStateException("pretrain: " + e.getMessage().replace("train.optimizer.lr or set train.clipGradNorm", "pretrain.lr"), e);
            }
            Map<String, Tensor> state = ae.encoderState();
            try {
                StateDict.writePth(dir.resolve(ENCODER), state);
                summary.put("tensors", state.size());
            } finally {
                state.values().forEach(Tensor::close);
            }
            preview(ae, probes, eval, norm, device, dir.resolve(PREVIEW));
            summary.put("initialReconstructionLoss", initial);
            summary.put("finalTrainLoss", learner.state().epochLoss());
            summary.put("finalReconstructionLoss", learner.state().reconstructionValidation());
        }
        Checkpoints.delete(dir); // the encoder is written: nothing left to resume
        Files.deleteIfExists(training);
        summary.put("seconds", (System.nanoTime() - start) / 1e9);
        out.printf(Locale.ROOT, "pretrain: encoder written to %s (%.0f s)%n", dir.resolve(ENCODER), summary.get("seconds"));
        return summary;
    }

    /** {@code noise} on the [0, 1] pixel scale as a per-channel std on normalised input; null for no noise. */
    private static float[] noiseStd(double noise, Normalization norm, int channels) {
        if (noise == 0) return null;
        Normalization n = norm.broadcast(channels);
        float[] f = new float[channels];
        for (int c = 0; c < channels; c++) f[c] = (float) (noise / n.std()[c]);
        return f;
    }

    /** The first probe images (top row) above their clean reconstructions (bottom row), enlarged to about 56 pixels. */
    private static void preview(AutoencoderNet ae, ImageSet probes, Augmenter eval, Normalization norm, Device device, Path file) throws IOException {
        ae.setTraining(false);
        int n = Math.min(PREVIEWS, probes.size());
        int[] first = new int[n];
        for (int i = 0; i < n; i++) first[i] = i;
        var px = probes.pixels();
        int[] size = eval.outputSize(px.height(), px.width());
        try (Loader loader = new Loader(px.channels(), eval, norm, n, size[0], size[1], 1, 1); var scope = Scope.evalBatch()) {
            BatchBuffer.Batch b = loader.epoch(probes, first, 0, false).iterator().next();
            Tensor x = onDevice(b.images(), device);
            Tensor y = ae.reconstruct(x).cpu();
            x = x.cpu();
            int c = (int) x.size(1), h = (int) x.size(2), w = (int) x.size(3);
            int factor = Math.max(1, 56 / Math.max(h, w));
            List<Image> originals = new ArrayList<>(), reconstructions = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                originals.add(Image.of(Previews.toPixels(x.select(0, i), norm), h, w, c).enlarge(factor));
                reconstructions.add(Image.of(Previews.toPixels(y.select(0, i), norm), h, w, c).enlarge(factor));
            }
            originals.addAll(reconstructions);
            Image.grid(originals, n).writePng(file);
        }
    }

    private static Tensor onDevice(Tensor t, Device device) {
        return device.isCuda() ? t.to(device.torch(), t.scalar_type()) : t;
    }

    /** {@code k} positions spread evenly over {@code n}, so several classes show. */
    private static int[] spread(int n, int k) {
        int[] p = new int[k];
        for (int i = 0; i < k; i++) p[i] = (int) ((long) i * n / k);
        return p;
    }
}
