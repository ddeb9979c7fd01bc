package dev.kinglet.dsl;

/** Pooled features of a frozen pretrained network, e.g. {@code {architecture: {type: resnet, depth: 18}, weights: {type: torchvision}}}. */
public record BackboneFeatures(Architecture architecture, Weights weights) implements Features {
    public BackboneFeatures {
        RecipeException.require(architecture != null, "baseline.features.architecture", "missing, e.g. {type: resnet, depth: 18}");
        RecipeException.require(weights != null, "baseline.features.weights", "missing: a frozen backbone needs pretrained weights, e.g. {type: torchvision}");
    }
}
