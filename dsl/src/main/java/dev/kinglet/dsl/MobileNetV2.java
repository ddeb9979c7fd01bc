package dev.kinglet.dsl;

/** TorchVision's MobileNetV2 with width multiplier {@code width} (default 1.0). */
public record MobileNetV2(Double width) implements Architecture {
    public MobileNetV2 {
        width = width == null ? 1.0 : width;
        RecipeException.require(width > 0 && width <= 4, "model.architecture.width", "must be in (0, 4], e.g. 1.0");
    }
}
