package dev.kinglet.dsl;

import java.util.List;

/** A multi-layer perceptron over flattened inputs; {@code hidden} lists the widths of its hidden layers. */
public record Mlp(List<Integer> hidden, Double dropout) implements Architecture {
    public Mlp {
        hidden = hidden == null ? List.of(512, 512) : List.copyOf(hidden);
        dropout = dropout == null ? 0.2 : dropout;
        RecipeException.require(hidden.stream().allMatch(h -> h != null && h >= 1), "model.architecture.hidden", "widths must be >= 1, e.g. [512, 512]");
        RecipeException.require(dropout >= 0 && dropout < 1, "model.architecture.dropout", "must be in [0, 1), e.g. 0.2");
    }
}
