package dev.kinglet.model;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import dev.kinglet.dsl.RecipeException;
import dev.kinglet.dsl.TorchScriptBackbone;
import dev.kinglet.natives.Layers;
import dev.kinglet.natives.Scope;
import dev.kinglet.natives.Scripted;

/**
 * A TorchScript backbone exported from Python (images {@code [N, C, H, W]} to features
 * {@code [N, features]}, e.g. TorchVision's resnet18 with {@code fc = nn.Identity()}) under
 * Kinglet's head: dropout and a linear {@code fc}. The backbone is no registered LibTorch module,
 * so its weights appear here under {@code backbone.} in {@link #namedParameters()} and
 * {@link #state()}: the optimizer, freezing, saving, checkpoints and loading see them there.
 */
public final class TorchScriptNet extends Network {
    public static final String BACKBONE = "backbone";
    private final Scripted backbone;
    private final LinearImpl fc;
    private final double dropout;

    TorchScriptNet(TorchScriptBackbone spec, int channels, int height, int width, int classes, double dropout) {
        Path file = Path.of(spec.file());
        try {
            backbone = Scripted.load(file);
        } catch (IllegalArgumentException e) {
            throw new RecipeException("model.architecture.file", e.getMessage(), e);
        }
        long[] shape;
        try {
            shape = outputShape(backbone, channels, height, width);
        } catch (RuntimeException e) {
            backbone.close();
            throw e;
        }
        if (shape.length != 2 || shape[1] != spec.features()) {
            backbone.close();
            throw new RecipeException("model.architecture.features", file + " maps an input [1, " + channels + ", " + height + ", " + width + "] to "
                    + Arrays.toString(shape) + (shape.length == 2 ? ", so features must be " + shape[1] + ", not " + spec.features()
                    : "; it must give [N, features]: export it with a flattening pooled output, e.g. TorchVision's resnet18 with fc = nn.Identity()"));
        }
        fc = register_module("fc", Layers.linear(spec.features(), classes));
        this.dropout = dropout;
        backbone.train(is_training());
    }

    /** One forward pass on zeros in evaluation mode, so the batch norms' statistics stay as exported. */
    private static long[] outputShape(Scripted backbone, int channels, int height, int width) {
        boolean training = backbone.isTraining();
        backbone.train(false);
        try (var scope = Scope.evalBatch()) {
            return backbone.forward(torch.zeros(1, channels, height, width)).sizes().vec().get();
        } catch (RuntimeException e) {
            throw new RecipeException("model.architecture.file", "the TorchScript module failed on an input [1, " + channels + ", " + height + ", " + width
                    + "] (the images' channels and size): " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""), e);
        } finally {
            backbone.train(training);
        }
    }

    @Override
    public Tensor forward(Tensor images) {
        Tensor x = backbone.forward(images);
        if (dropout > 0) x = torch.dropout(x, dropout, is_training());
        return fc.forward(x);
    }

    @Override
    public List<List<String>> layerGroups() {
        return List.of(List.of(BACKBONE), List.of("fc"));
    }

    @Override
    public String firstConv() {
        return null;
    }

    @Override
    public Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = prefixed(backbone.parameters());
        out.putAll(super.namedParameters());
        return out;
    }

    @Override
    public Map<String, Tensor> state() {
        Map<String, Tensor> out = prefixed(backbone.parameters());
        out.putAll(prefixed(backbone.buffers()));
        out.putAll(super.state());
        return out;
    }

    private static Map<String, Tensor> prefixed(Map<String, Tensor> m) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(BACKBONE + "." + k, v));
        return out;
    }

    @Override
    public void train(boolean on) {
        super.train(on);
        backbone.train(on);
    }

    /** The backbone is one layer group: frozen, all its batch norms keep their running statistics. */
    @Override
    public void setTraining(boolean on) {
        super.setTraining(on);
        if (on && frozenGroups() > 0) backbone.freezeBatchNorms();
    }

    @Override
    public void to(Device device, boolean nonBlocking) {
        super.to(device, nonBlocking);
        backbone.to(device, nonBlocking);
    }

    /** Writes the backbone with its current weights as {@code torch.jit.save} does. */
    public void saveBackbone(Path file) {
        backbone.save(file);
    }

    @Override
    public void close() {
        backbone.close();
        super.close();
    }
}
