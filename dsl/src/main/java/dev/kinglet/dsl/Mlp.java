package dev.kinglet.dsl;

import java.util.List;

/**
 * A multi-layer perceptron over flattened inputs (image pixels, or a table's encoded features):
 * per width of {@code hidden} a linear layer, then {@code norm} ({@code none}, {@code batch} or
 * {@code layer}), ReLU and dropout. Olson, Wyner and Berk (NeurIPS 2018) varied depth (1 to 10
 * hidden layers) and width (up to 10,000) with dropout on 116 UCI tables; {@code [512, 512]}
 * with dropout 0.2 is the default here, and batch norm is the default on tables.
 */
public record Mlp(List<Integer> hidden, Double dropout, Norm norm) implements Architecture {
    /** The normalisation after each hidden linear layer. */
    public enum Norm {
        @com.fasterxml.jackson.annotation.JsonProperty("none") NONE,
        @com.fasterxml.jackson.annotation.JsonProperty("batch") BATCH,
        @com.fasterxml.jackson.annotation.JsonProperty("layer") LAYER
    }

    public Mlp {
        hidden = hidden == null ? List.of(512, 512) : List.copyOf(hidden);
        dropout = dropout == null ? 0.2 : dropout;
        norm = norm == null ? Norm.NONE : norm;
        RecipeException.require(hidden.stream().allMatch(h -> h != null && h >= 1), "model.architecture.hidden", "widths must be >= 1, e.g. [512, 512]");
        RecipeException.require(dropout >= 0 && dropout < 1, "model.architecture.dropout", "must be in [0, 1), e.g. 0.2");
    }

    public Mlp(List<Integer> hidden, Double dropout) {
        this(hidden, dropout, null);
    }

    /** The default for a table: [512, 512], dropout 0.2, batch norm. */
    public static Mlp forTables() {
        return new Mlp(null, null, Norm.BATCH);
    }
}
