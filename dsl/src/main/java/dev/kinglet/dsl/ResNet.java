package dev.kinglet.dsl;

/**
 * TorchVision's ResNet-18, -34 or -50. {@code harmonic} replaces the 7x7 stem and every 3x3
 * convolution by a fixed DCT filter bank and a learned 1x1 combination (harmonic networks); such
 * a network has no TorchVision weights.
 */
public record ResNet(Integer depth, Boolean harmonic) implements Architecture {
    public ResNet {
        depth = depth == null ? 18 : depth;
        harmonic = harmonic != null && harmonic;
        RecipeException.require(depth == 18 || depth == 34 || depth == 50, "model.architecture.depth", "must be 18, 34 or 50");
    }

    public ResNet(Integer depth) {
        this(depth, null);
    }
}
