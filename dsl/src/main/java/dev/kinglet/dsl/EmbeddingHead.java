package dev.kinglet.dsl;

/** A linear map to an L2-normalised embedding of {@code dim} dimensions (default: the number of classes). */
public record EmbeddingHead(Integer dim) implements Head {
    public EmbeddingHead {
        RecipeException.require(dim == null || dim >= 2, "model.head.dim", "must be >= 2, e.g. 128, or left out for one dimension per class");
    }
}
