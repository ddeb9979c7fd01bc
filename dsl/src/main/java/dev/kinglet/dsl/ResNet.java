package dev.kinglet.dsl;

/** TorchVision's ResNet-18, -34 or -50. */
public record ResNet(Integer depth) implements Architecture {
    public ResNet {
        depth = depth == null ? 18 : depth;
        RecipeException.require(depth == 18 || depth == 34 || depth == 50, "model.architecture.depth", "must be 18, 34 or 50");
    }
}
