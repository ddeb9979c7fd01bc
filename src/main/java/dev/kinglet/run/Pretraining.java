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
import java.util.SplittableRandom;

import org.bytedeco.pytorch.AdamOptions;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

import dev.kinglet.augment.Augmenter;
import dev.kinglet.augment.Pipelines;
import dev.kinglet.data.Datasets;
import dev.kinglet.data.ImageSet;
import dev.kinglet.data.Loader;
import dev.kinglet.dsl.Autoencoder;
import dev.kinglet.dsl.Data;
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
import dev.kinglet.natives.TensorMemory;
import dev.kinglet.train.Learner;
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
    public static Map<String, Encoder> ensureAll(Plan plan, SplitSource data, Path runDir, Path dataBase, Device device, PrintStream out) throws IOException {
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
                encoder = ensure(r, data.get(r.data(), r.seed()), dir, dataBase, device, out);
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
            description.put("digest", digest(r, set, norm, size));
            description.put("normalization", Map.of("mean", norm.mean(), "std", norm.std()));
            description.put("input", List.of(set.pixels().channels(), size[0], size[1]));
            description.put("images", set.size());
            description.put("imagesSha256", set.sha256());
            description.put("pretrain", RecipeIo.tree(spec));
            description.put("architecture", RecipeIo.tree(r.model().architecture()));
            description.put("seed", r.seed());
            Path file = dir.resolve(ENCODER), json = dir.resolve(DESCRIPTION);
            if (Files.isRegularFile(file) && describes(json, (String) description.get("digest"))) {
                out.println("pretrain: encoder " + file + " reused (same pretrain section, model and images)");
                return new Encoder(file, norm, true);
            }
            Files.deleteIfExists(json); // an old description must never vouch for the file about to be replaced
            out.printf(Locale.ROOT, "pretrain: autoencoder on %s, %d epochs, noise %.3g, lr %.3g, batch %d, into %s%n",
                    images.what(), spec.epochs(), spec.noise(), spec.lr(), spec.batchSize(), dir);
            description.putAll(train(r, spec, set, pipes.eval(), norm, size, data.train().numClasses(), dir, device, out));
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

    /** Trains the autoencoder, writes the encoder, metrics and preview; returns what the description records of it. */
    private static Map<String, Object> train(Recipe r, Autoencoder spec, ImageSet set, Augmenter eval, Normalization norm, int[] size, int classes,
                                             Path dir, Device device, PrintStream out) throws IOException {
        int channels = set.pixels().channels();
        Path metrics = dir.resolve(METRICS);
        Files.deleteIfExists(metrics);
        NativeRuntime.seed(r.seed());
        Network net = Network.build(r.model(), channels, size[0], size[1], classes);
        int[] probe = spread(set.size(), Math.min(PROBE, set.size()));
        Map<String, Object> summary = new LinkedHashMap<>();
        long start = System.nanoTime();
        try (net; AutoencoderNet ae = new AutoencoderNet(net, channels, size[0], size[1]);
             Loader loader = new Loader(channels, eval, norm, spec.batchSize(), size[0], size[1], Loader.defaultWorkers(), 2);
             Loader probes = new Loader(channels, eval, norm, 64, size[0], size[1], Loader.defaultWorkers(), 1)) {
            ae.to(device);
            Map<String, Tensor> params = ae.trainableParameters();
            float[] noiseStd = noiseStd(spec.noise(), norm, channels);
            try (var adam = new org.bytedeco.pytorch.Adam(new TensorVector(params.values().toArray(Tensor[]::new)), new AdamOptions(spec.lr()))) {
                double initial = probeLoss(ae, probes, set, probe, device);
                MetricsLog.append(metrics, Map.of("epoch", 0, "reconstructionLoss", initial));
                out.printf(Locale.ROOT, "pretrain: epoch 0, probe reconstruction loss %.4f%n", initial);
                double trainLoss = Double.NaN, probeLoss = initial;
                for (int epoch = 1; epoch <= spec.epochs(); epoch++) {
                    SplittableRandom rng = new SplittableRandom(r.seed() + 0x9E3779B97F4A7C15L * epoch);
                    int[] order = Learner.shuffled(set.size(), rng);
                    long epochSeed = rng.nextLong();
                    NativeRuntime.seed(rng.nextLong()); // this epoch's noise draws
                    long epochStart = System.nanoTime();
                    double sum = 0;
                    long seen = 0;
                    ae.setTraining(true);
                    for (BatchBuffer.Batch b : loader.epoch(set, order, epochSeed, true)) {
                        try (var step = Scope.step()) {
                            Tensor x = onDevice(b.images(), device);
                            adam.zero_grad();
                            Tensor input = noiseStd == null ? x
                                    : x.add(torch.randn_like(x).mul(onDevice(TensorMemory.fromFloats(noiseStd, 1, channels, 1, 1), device)));
                            Tensor loss = torch.mse_loss(ae.reconstruct(input), x);
                            float v = loss.item_float();
                            if (!Float.isFinite(v)) {
                                throw new IllegalStateException("pretrain: the reconstruction loss is " + v + " at epoch " + epoch + ": lower pretrain.lr");
                            }
                            loss.backward();
                            adam.step();
                            sum += (double) v * b.size();
                            seen += b.size();
                        }
                    }
                    double seconds = (System.nanoTime() - epochStart) / 1e9;
                    trainLoss = sum / seen;
                    probeLoss = probeLoss(ae, probes, set, probe, device);
                    Map<String, Object> line = new LinkedHashMap<>();
                    line.put("epoch", epoch);
                    line.put("trainLoss", trainLoss);
                    line.put("reconstructionLoss", probeLoss);
                    line.put("images", seen);
                    line.put("seconds", seconds);
                    line.put("imagesPerSecond", seen / seconds);
                    MetricsLog.append(metrics, line);
                    out.printf(Locale.ROOT, "pretrain: epoch %d/%d, loss %.4f (noisy input), probe reconstruction loss %.4f, %.0f img/s%n",
                            epoch, spec.epochs(), trainLoss, probeLoss, seen / seconds);
                }
                Map<String, Tensor> state = ae.encoderState();
                try {
                    StateDict.writePth(dir.resolve(ENCODER), state);
                    summary.put("tensors", state.size());
                } finally {
                    state.values().forEach(Tensor::close);
                }
                preview(ae, probes, set, probe, norm, device, dir.resolve(PREVIEW));
                summary.put("initialReconstructionLoss", initial);
                summary.put("finalTrainLoss", trainLoss);
                summary.put("finalReconstructionLoss", probeLoss);
            } finally {
                params.values().forEach(Tensor::close);
            }
        }
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

    /** Mean squared error of the clean reconstructions of the probe images, in evaluation mode. */
    private static double probeLoss(AutoencoderNet ae, Loader probes, ImageSet set, int[] probe, Device device) {
        ae.setTraining(false);
        double sum = 0;
        long n = 0;
        for (BatchBuffer.Batch b : probes.epoch(set, probe, 0, false)) {
            try (var scope = Scope.evalBatch()) {
                Tensor x = onDevice(b.images(), device);
                sum += (double) torch.mse_loss(ae.reconstruct(x), x).item_float() * b.size();
                n += b.size();
            }
        }
        return sum / n;
    }

    /** The first probe images (top row) above their clean reconstructions (bottom row), enlarged to about 56 pixels. */
    private static void preview(AutoencoderNet ae, Loader probes, ImageSet set, int[] probe, Normalization norm, Device device, Path file) throws IOException {
        ae.setTraining(false);
        int n = Math.min(PREVIEWS, probe.length);
        int[] first = java.util.Arrays.copyOf(probe, n);
        try (var scope = Scope.evalBatch()) {
            BatchBuffer.Batch b = probes.epoch(set, first, 0, false).iterator().next();
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
