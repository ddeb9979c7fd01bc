package dev.kinglet.dsl;

/** TorchVision's MobileNetV3-Small. */
public record MobileNetV3Small() implements Architecture {}
