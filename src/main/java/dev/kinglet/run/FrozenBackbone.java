package dev.kinglet.run;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.kinglet.baseline.BackboneExtractor;
import dev.kinglet.data.ImageSet;
import dev.kinglet.dsl.BackboneFeatures;
import dev.kinglet.dsl.Baseline;
import dev.kinglet.dsl.Grayscale;
import dev.kinglet.dsl.Mlp;
import dev.kinglet.dsl.MobileNetV2;
import dev.kinglet.dsl.MobileNetV3Small;
import dev.kinglet.dsl.Model;
import dev.kinglet.dsl.RecipeException;
import dev.kinglet.dsl.ResNet;
import dev.kinglet.dsl.SmallCnn;
import dev.kinglet.dsl.TorchScriptBackbone;
import dev.kinglet.dsl.TorchVisionWeights;
import dev.kinglet.dsl.Weights;
import dev.kinglet.dsl.WeightsFile;
import dev.kinglet.dsl.WideResNet;
import dev.kinglet.model.Network;
import dev.kinglet.natives.Device;
import dev.kinglet.natives.Normalization;

/**
 * The network of {@code baseline.features: {type: backbone, architecture, weights}}: built for
 * the data's channels at the size {@link BackboneExtractor#inputSize} picks, its body loaded
 * from the weights as a deep job's would be ({@link Pretrained}: TorchVision's through the
 * weight cache, or a file; grayscale by summing or repeating), the head left out (it is never
 * run, so its shape in the file does not matter), and images normalised as the weights expect
 * (TorchVision's statistics, a Kinglet model's {@code model.json} next to the file, else the
 * training split's own).
 */
final class FrozenBackbone {
    private FrozenBackbone() {}

    /** What of {@code baseline.features} cannot run, as {@code path: why} lines; none for pixel features. */
    static List<String> problems(Baseline baseline) {
        if (!(baseline.features() instanceof BackboneFeatures f)) return List.of();
        List<String> out = new ArrayList<>();
        String body = switch (f.architecture()) {
            case Mlp m -> "an mlp has no convolutional body whose features a baseline could use: use e.g. {type: resnet, depth: 18}";
            case TorchScriptBackbone t -> "a TorchScript backbone brings its own weights, and baseline.features takes them from weights: "
                    + "use an architecture Kinglet builds, e.g. {type: resnet, depth: 18}";
            case ResNet r -> null;
            case WideResNet w -> null;
            case SmallCnn s -> null;
            case MobileNetV2 m -> null;
            case MobileNetV3Small m -> null;
        };
        if (body != null) out.add("baseline.features.architecture: " + body);
        else if (f.weights() instanceof TorchVisionWeights t) {
            try {
                Pretrained.torchVision(f.architecture(), t);
            } catch (RecipeException e) {
                out.add(repath(e).getMessage());
            }
        }
        return out;
    }

    /**
     * The extractor of {@code spec}'s features for images like {@code train}'s (which also gives
     * the normalisation when the weights carry none). Weights files are found relative to {@code base}.
     */
    static BackboneExtractor open(BackboneFeatures spec, ImageSet train, Path base, Device device, PrintStream out, boolean terminal) throws IOException {
        var px = train.pixels();
        int[] size = BackboneExtractor.inputSize(spec.architecture(), px.height(), px.width());
        Weights weights = withoutHead(spec.weights());
        boolean repeatGray = Pretrained.grayscale(weights) == Grayscale.REPEAT && px.channels() == 1;
        Network net;
        Normalization norm;
        try {
            Model model = new Model(spec.architecture(), weights, null);
            net = Network.build(model, px.channels(), size[0], size[1], 1, repeatGray);
            try {
                String loaded = Pretrained.load(net, model, base, out, terminal).summary();
                norm = Pretrained.normalization(weights, spec.architecture(), base, px.channels()).orElseGet(train::statistics);
                out.printf("baseline features: %s, %s; images %dx%d -> %dx%d, normalised with mean %s, std %s%n", Support.typeName(spec.architecture()),
                        loaded, px.height(), px.width(), size[0], size[1], Arrays.toString(norm.mean()), Arrays.toString(norm.std()));
            } catch (IOException | RuntimeException e) {
                net.close();
                throw e;
            }
        } catch (RecipeException e) {
            throw repath(e);
        }
        return new BackboneExtractor(net, px.channels(), size[0], size[1], repeatGray, norm, device);
    }

    /** The weights with the head not loaded: only the body's features are used. */
    private static Weights withoutHead(Weights w) {
        return switch (w) {
            case TorchVisionWeights t -> new TorchVisionWeights(t.name(), t.offline(), true, t.grayscale());
            case WeightsFile f -> new WeightsFile(f.path(), f.strict(), true, f.grayscale(), f.entry());
        };
    }

    /** {@link Pretrained}'s errors name {@code model.weights...}; here the weights are {@code baseline.features.weights...}. */
    private static RecipeException repath(RecipeException e) {
        String prefix = e.path() + ": ", message = e.getMessage().startsWith(prefix) ? e.getMessage().substring(prefix.length()) : e.getMessage();
        return new RecipeException(e.path().replaceFirst("^model\\.", "baseline.features."), message, e);
    }
}
