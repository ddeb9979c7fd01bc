package dev.kinglet.dsl;

/** Raw pixels scaled to [0, 1], the image first downscaled so its longer side is {@code maxSide} (default 32). */
public record PixelFeatures(Integer maxSide) implements Features {
    public PixelFeatures {
        maxSide = maxSide == null ? 32 : maxSide;
        RecipeException.require(maxSide >= 4 && maxSide <= 512, "baseline.features.maxSide", "must be in 4..512 pixels, e.g. 32");
    }
}
