package dev.kinglet.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import dev.kinglet.dsl.Grayscale;
import dev.kinglet.dsl.RecipeException;
import dev.kinglet.dsl.TorchVisionWeights;
import dev.kinglet.dsl.Weights;
import dev.kinglet.dsl.WeightsFile;
import dev.kinglet.model.Network;
import dev.kinglet.model.WeightLoader;
import dev.kinglet.natives.Normalization;
import dev.kinglet.natives.StateDict;

/** The recipe's {@code model.weights}: which file they are in, and loading them into the network. */
final class Pretrained {
    private Pretrained() {}

    static Grayscale grayscale(Weights w) {
        return switch (w) {
            case WeightsFile f -> f.grayscale();
            case TorchVisionWeights t -> t.grayscale();
        };
    }

    /** Loads the weights into {@code net} by name, strictly unless the recipe says otherwise. */
    static WeightLoader.Report load(Network net, Weights w, Path base) throws IOException {
        return switch (w) {
            case WeightsFile f -> {
                Path file = base.resolve(f.path());
                if (!Files.isRegularFile(file)) throw new RecipeException("model.weights.path", file + " does not exist");
                try (StateDict sd = StateDict.read(file, f.entry())) {
                    yield WeightLoader.load(net, ModelFiles.tensors(sd), f.strict(), f.reinitHead(), f.grayscale());
                } catch (WeightLoader.MismatchException e) {
                    throw new RecipeException("model.weights", file + ": " + e.getMessage());
                }
            }
            case TorchVisionWeights t -> throw new RecipeException("model.weights", "TorchVision weights are not wired in yet");
        };
    }

    /**
     * The normalisation the weights were trained with: a Kinglet model's {@code model.json} next
     * to the file, averaged over channels for grayscale input.
     */
    static Optional<Normalization> normalization(Weights w, Path base, int channels) throws IOException {
        Normalization n = switch (w) {
            case WeightsFile f -> {
                Path dir = base.resolve(f.path()).toAbsolutePath().getParent();
                yield dir != null && Files.isRegularFile(dir.resolve(ModelFiles.DESCRIPTION)) ? ModelFiles.describe(dir).normalization() : null;
            }
            case TorchVisionWeights t -> null;
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
