package dev.kinglet.run;

import java.io.IOException;
import java.nio.file.Files;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Optional;

import dev.kinglet.dsl.Architecture;
import dev.kinglet.dsl.Grayscale;
import dev.kinglet.dsl.Model;
import dev.kinglet.dsl.RecipeException;
import dev.kinglet.dsl.TorchVisionWeights;
import dev.kinglet.dsl.Weights;
import dev.kinglet.dsl.WeightsFile;
import dev.kinglet.model.Network;
import dev.kinglet.model.WeightLoader;
import dev.kinglet.natives.Normalization;
import dev.kinglet.natives.StateDict;
import dev.kinglet.weights.DownloadProgress;
import dev.kinglet.weights.WeightRegistry;
import dev.kinglet.weights.WeightStore;

/** The recipe's {@code model.weights}: which file they are in, and loading them into the network. */
final class Pretrained {
    private Pretrained() {}

    static Grayscale grayscale(Weights w) {
        return switch (w) {
            case WeightsFile f -> f.grayscale();
            case TorchVisionWeights t -> t.grayscale();
        };
    }

    /** Loads the weights into {@code net} by name, strictly unless the recipe says otherwise; downloads TorchVision's once. */
    static WeightLoader.Report load(Network net, Model model, Path base, PrintStream out, boolean terminal) throws IOException {
        return switch (model.weights()) {
            case WeightsFile f -> {
                Path file = base.resolve(f.path());
                if (!Files.isRegularFile(file)) throw new RecipeException("model.weights.path", file + " does not exist");
                try (StateDict sd = StateDict.read(file, f.entry())) {
                    yield WeightLoader.load(net, ModelFiles.tensors(sd), f.strict(), f.reinitHead(), f.grayscale());
                } catch (WeightLoader.MismatchException e) {
                    throw new RecipeException("model.weights", file + ": " + e.getMessage());
                }
            }
            case TorchVisionWeights t -> {
                WeightRegistry.Entry entry = torchVision(model.architecture(), t);
                Path file = WeightStore.fromEnvironment().fetch(entry, t.offline(), new DownloadProgress(out, terminal));
                try (StateDict sd = StateDict.read(file)) {
                    yield WeightLoader.load(net, ModelFiles.tensors(sd), true, t.reinitHead(), t.grayscale());
                } catch (WeightLoader.MismatchException e) {
                    throw new RecipeException("model.weights", file + ": " + e.getMessage());
                }
            }
            case null -> throw new IllegalArgumentException("the recipe has no model.weights");
        };
    }

    /** Null when {@code model}'s weights are on this machine (no download needed), else what is missing. */
    static String unavailable(Model model, Path base) {
        return switch (model.weights()) {
            case null -> "the variant has no model.weights";
            case WeightsFile f -> Files.isRegularFile(base.resolve(f.path())) ? null : base.resolve(f.path()) + " does not exist";
            case TorchVisionWeights t -> {
                WeightRegistry.Entry entry = torchVision(model.architecture(), t);
                Path cached = WeightStore.fromEnvironment().cached(entry);
                yield Files.isRegularFile(cached) ? null
                        : "TorchVision's weights " + entry.fileName() + " are not in the weight cache (" + cached + "); a run of a recipe with them and network access downloads them";
            }
        };
    }

    /** The registry entry of TorchVision weights for the architecture, or a recipe error naming what exists. */
    static WeightRegistry.Entry torchVision(Architecture a, TorchVisionWeights t) {
        String arch = WeightRegistry.torchVisionName(a).orElseThrow(() -> new RecipeException("model.weights",
                "TorchVision publishes no weights for " + a + "; use resnet (18, 34, 50, not harmonic), mobilenetV2 (width 1.0) or mobilenetV3Small, or weights from a file"));
        try {
            return WeightRegistry.lookup(arch, t.name());
        } catch (IllegalArgumentException e) {
            throw new RecipeException("model.weights.name", e.getMessage());
        }
    }

    /**
     * The normalisation the weights were trained with: TorchVision's (ImageNet), or a Kinglet
     * model's {@code model.json} next to the file; averaged over channels for grayscale input.
     */
    static Optional<Normalization> normalization(Weights w, Architecture architecture, Path base, int channels) throws IOException {
        Normalization n = switch (w) {
            case WeightsFile f -> {
                Path dir = base.resolve(f.path()).toAbsolutePath().getParent();
                yield dir != null && Files.isRegularFile(dir.resolve(ModelFiles.DESCRIPTION)) ? ModelFiles.describe(dir).normalization() : null;
            }
            case TorchVisionWeights t -> torchVision(architecture, t).normalization();
        };
        if (n == null) return Optional.empty();
        if (n.channels() == channels) return Optional.of(n);
        if (channels == 1) {
            float m = 0, s = 0;
            for (int i = 0; i < n.channels(); i++) { m += n.mean()[i] / n.channels(); s += n.std()[i] / n.channels(); }
            return Optional.of(new Normalization(new float[] {m}, new float[] {s}));
        }
        return Optional.of(n.broadcast(channels));
    }
}
