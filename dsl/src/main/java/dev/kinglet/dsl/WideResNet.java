package dev.kinglet.dsl;

/**
 * Wide ResNet for small images (Zagoruyko and Komodakis): depth 6n+4, widening factor
 * {@code width}, e.g. WRN-16-4. {@code harmonic} replaces each 3x3 convolution by a fixed DCT
 * filter bank and a learned 1x1 combination (harmonic networks).
 */
public record WideResNet(Integer depth, Integer width, Double dropout, Boolean harmonic) implements Architecture {
    public WideResNet {
        depth = depth == null ? 16 : depth;
        width = width == null ? 4 : width;
        dropout = dropout == null ? 0.0 : dropout;
        harmonic = harmonic != null && harmonic;
        RecipeException.require(depth >= 10 && (depth - 4) % 6 == 0, "model.architecture.depth", "must be 6n+4 and >= 10, e.g. 16 or 28");
        RecipeException.require(width >= 1 && width <= 20, "model.architecture.width", "must be in 1..20, e.g. 4");
        RecipeException.require(dropout >= 0 && dropout < 1, "model.architecture.dropout", "must be in [0, 1), e.g. 0.3");
    }
}
