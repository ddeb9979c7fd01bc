package dev.kinglet.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bytedeco.pytorch.Tensor;

import dev.kinglet.dsl.Grayscale;
import dev.kinglet.dsl.Model;
import dev.kinglet.dsl.RecipeException;
import dev.kinglet.dsl.RecipeIo;
import dev.kinglet.dsl.TorchScriptBackbone;
import dev.kinglet.model.Network;
import dev.kinglet.model.TorchScriptNet;
import dev.kinglet.model.WeightLoader;
import dev.kinglet.natives.Device;
import dev.kinglet.natives.Normalization;
import dev.kinglet.natives.StateDict;
import dev.kinglet.train.CosineObjective;
import dev.kinglet.train.TargetScaling;
import dev.kinglet.util.AtomicFiles;
import dev.kinglet.util.Json;
import tools.jackson.databind.JsonNode;

/**
 * A trained model on disk: {@code model.pth}, a state dict as {@code torch.save} writes it (Python's
 * {@code torch.load} + {@code load_state_dict(strict=True)} read it into the TorchVision
 * architecture), and {@code model.json}, what is needed to use it: the recipe's model section, the
 * class names (or a regression model's target names and how its outputs map back to their units), the
 * input size and channels and the normalisation.
 */
public final class ModelFiles {
    public static final String WEIGHTS = "model.pth", DESCRIPTION = "model.json";
    /** A TorchScript backbone's graph, saved beside the weights; model.json's {@code architecture.file} names it relative to the model directory. */
    public static final String BACKBONE = "backbone.pt";

    private ModelFiles() {}

    /**
     * @param targets       the regression targets the network outputs, in order; empty for a classifier
     * @param targetScaling how the network's outputs map back to the targets' units; null (read
     *                      as identity) for a classifier and for a model.json written before targets were standardised
     */
    public record Description(Model model, List<String> classes, int channels, int height, int width, boolean repeatGray,
                              Normalization normalization, Cosine cosine, List<String> targets, TargetScaling targetScaling) {
        public Description {
            targets = targets == null ? List.of() : List.copyOf(targets);
            if (targetScaling == null && !targets.isEmpty()) targetScaling = TargetScaling.identity(targets.size());
            if (targetScaling != null && targetScaling.targets() != targets.size()) {
                throw new IllegalArgumentException("a scaling of " + targetScaling.targets() + " targets for targets " + targets);
            }
        }

        public Description(Model model, List<String> classes, int channels, int height, int width, boolean repeatGray,
                           Normalization normalization, Cosine cosine, List<String> targets) {
            this(model, classes, channels, height, width, repeatGray, normalization, cosine, targets, null);
        }

        public Description(Model model, List<String> classes, int channels, int height, int width, boolean repeatGray, Normalization normalization, Cosine cosine) {
            this(model, classes, channels, height, width, repeatGray, normalization, cosine, List.of());
        }

        public Description(Model model, List<String> classes, int channels, int height, int width, boolean repeatGray, Normalization normalization) {
            this(model, classes, channels, height, width, repeatGray, normalization, null);
        }

        public Description withTargetScaling(TargetScaling s) {
            return new Description(model, classes, channels, height, width, repeatGray, normalization, cosine, targets, s);
        }

        public boolean regression() {
            return !targets.isEmpty();
        }

        /** The network's outputs: one per target, else one per class. */
        public int outputs() {
            return regression() ? targets.size() : classes.size();
        }
    }

    /** A model trained with the cosine loss: its classifier weight and class embeddings ({@code [classes, dim]}, row-major). */
    public record Cosine(double lambda, float[] classEmbeddings, int dim) {
        /** The objective that turns the saved network's embeddings into class probabilities. */
        public CosineObjective objective() {
            int k = classEmbeddings.length / dim;
            double[][] phi = new double[k][dim];
            for (int c = 0; c < k; c++) for (int j = 0; j < dim; j++) phi[c][j] = classEmbeddings[c * dim + j];
            return new CosineObjective(phi, dim, lambda, Device.parse("cpu").resolve());
        }
    }

    public static void save(Path dir, Network net, Description d) throws IOException {
        Files.createDirectories(dir);
        Map<String, Tensor> state = net.state();
        try {
            StateDict.writePth(dir.resolve(WEIGHTS), state);
        } finally {
            state.values().forEach(Tensor::close);
        }
        Model model = d.model();
        if (net instanceof TorchScriptNet t && model.architecture() instanceof TorchScriptBackbone b) {
            Path tmp = AtomicFiles.temporarySibling(dir.resolve(BACKBONE));
            t.saveBackbone(tmp);
            AtomicFiles.commit(tmp, dir.resolve(BACKBONE));
            model = model.withArchitecture(new TorchScriptBackbone(BACKBONE, b.features()));
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("model", RecipeIo.tree(model));
        json.put("classes", d.classes());
        if (d.regression()) {
            json.put("targets", d.targets());
            json.put("targetScaling", Map.of("mean", d.targetScaling().mean(), "std", d.targetScaling().std()));
        }
        json.put("channels", d.channels());
        json.put("imageSize", List.of(d.height(), d.width()));
        json.put("repeatGray", d.repeatGray());
        json.put("normalization", Map.of("mean", d.normalization().mean(), "std", d.normalization().std()));
        if (d.cosine() != null) json.put("cosine", Map.of("lambda", d.cosine().lambda(), "dim", d.cosine().dim(), "classEmbeddings", d.cosine().classEmbeddings()));
        json.put("kinglet", Provenance.kingletVersion());
        AtomicFiles.writeString(dir.resolve(DESCRIPTION), Json.PRETTY.writeValueAsString(json));
    }

    public static Description describe(Path dir) throws IOException {
        Path file = dir.resolve(DESCRIPTION);
        if (!Files.isRegularFile(file)) throw new RecipeException(dir.toString(), "is not a saved model: no " + DESCRIPTION + " (a job directory of a run with output.saveModels)");
        JsonNode j = Json.PRETTY.readTree(file.toFile());
        Model model = RecipeIo.value(j.get("model"), Model.class, file + ", model");
        List<String> classes = j.get("classes").valueStream().map(JsonNode::asString).toList();
        JsonNode n = j.get("normalization");
        return new Description(model, classes, j.get("channels").asInt(), j.get("imageSize").get(0).asInt(), j.get("imageSize").get(1).asInt(),
                j.get("repeatGray").asBoolean(), new Normalization(floats(n.get("mean")), floats(n.get("std"))),
                j.has("cosine") ? new Cosine(j.get("cosine").get("lambda").asDouble(), floats(j.get("cosine").get("classEmbeddings")), j.get("cosine").get("dim").asInt()) : null,
                j.has("targets") ? j.get("targets").valueStream().map(JsonNode::asString).toList() : List.of(),
                j.has("targetScaling") ? new TargetScaling(floats(j.get("targetScaling").get("mean")), floats(j.get("targetScaling").get("std"))) : null);
    }

    /** The saved network with its weights, strictly loaded. A TorchScript backbone's file is found relative to {@code dir}. */
    public static Network load(Path dir, Description d) throws IOException {
        Model model = d.model();
        if (model.architecture() instanceof TorchScriptBackbone b) model = model.withArchitecture(new TorchScriptBackbone(dir.resolve(b.file()).toString(), b.features()));
        Network net = Network.build(model, d.channels(), d.height(), d.width(), d.outputs(), d.repeatGray(),
                d.cosine() == null ? 0 : d.cosine().lambda());
        try (StateDict sd = StateDict.read(dir.resolve(WEIGHTS))) {
            WeightLoader.load(net, tensors(sd), true, false, Grayscale.SUM);
        }
        return net;
    }

    /** The tensors of a state dict by key; they live as long as {@code sd}. */
    public static Map<String, Tensor> tensors(StateDict sd) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (String k : sd.keys()) m.put(k, sd.tensor(k));
        return m;
    }

    private static float[] floats(JsonNode a) {
        float[] f = new float[a.size()];
        for (int i = 0; i < f.length; i++) f[i] = (float) a.get(i).asDouble();
        return f;
    }
}
