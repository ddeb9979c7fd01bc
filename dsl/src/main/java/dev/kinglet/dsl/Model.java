package dev.kinglet.dsl;

/**
 * The network: its architecture, the weights it starts from ({@code null}: random
 * initialisation) and the head that maps features to the recipe's classes.
 */
public record Model(Architecture architecture, Weights weights, Head head) {
    public Model {
        architecture = architecture == null ? new SmallCnn(null, null, null, null) : architecture;
        head = head == null ? new LinearHead(null) : head;
        RecipeException.require(!(architecture instanceof ResNet r && r.harmonic() && weights instanceof TorchVisionWeights), "model.weights",
                "TorchVision publishes no weights for a harmonic resnet: leave weights out, or set model.architecture.harmonic: false");
    }

    public Model(Architecture architecture) {
        this(architecture, null, null);
    }

    public static Model defaults() {
        return new Model(null, null, null);
    }

    public Model withArchitecture(Architecture a) { return new Model(a, weights, head); }
    public Model withWeights(Weights w) { return new Model(architecture, w, head); }
    public Model withHead(Head h) { return new Model(architecture, weights, h); }
}
