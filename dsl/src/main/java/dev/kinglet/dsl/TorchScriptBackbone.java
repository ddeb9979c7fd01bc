package dev.kinglet.dsl;

/**
 * A backbone exported from Python with {@code torch.jit.save} (e.g. a timm model), trained with
 * its parameters in Kinglet's optimizer; {@code features} is the width of its output.
 */
public record TorchScriptBackbone(String file, Integer features) implements Architecture {
    public TorchScriptBackbone {
        RecipeException.require(file != null && !file.isBlank(), "model.architecture.file", "missing: the .pt file of torch.jit.save, e.g. models/backbone.pt");
        RecipeException.require(features != null && features >= 1, "model.architecture.features", "must be the width of the backbone's output, e.g. 512");
    }
}
