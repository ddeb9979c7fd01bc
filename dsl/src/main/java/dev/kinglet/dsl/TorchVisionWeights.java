package dev.kinglet.dsl;

/**
 * TorchVision's published weights for the architecture ({@code IMAGENET1K_V1} by default),
 * downloaded once with a SHA-256 check into Kinglet's cache, or only read from it when
 * {@code offline}. The classifier is replaced for the recipe's classes unless
 * {@code reinitHead} is false (then the recipe must have TorchVision's 1,000 classes).
 */
public record TorchVisionWeights(String name, Boolean offline, Boolean reinitHead, Grayscale grayscale) implements Weights {
    public TorchVisionWeights {
        name = name == null ? "IMAGENET1K_V1" : name;
        offline = offline != null && offline;
        reinitHead = reinitHead == null || reinitHead;
        grayscale = grayscale == null ? Grayscale.SUM : grayscale;
        RecipeException.require(name.matches("[A-Z0-9_]+"), "model.weights.name", "'" + name + "' is not a TorchVision weight name, e.g. IMAGENET1K_V1");
    }

    public TorchVisionWeights(String name, Boolean offline, Boolean reinitHead) {
        this(name, offline, reinitHead, null);
    }
}
