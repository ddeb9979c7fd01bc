package dev.kinglet.dsl;

/** A linear classifier over the pooled features, with dropout before it (default 0). */
public record LinearHead(Double dropout) implements Head {
    public LinearHead {
        dropout = dropout == null ? 0.0 : dropout;
        RecipeException.require(dropout >= 0 && dropout < 1, "model.head.dropout", "must be in [0, 1), e.g. 0.2");
    }
}
