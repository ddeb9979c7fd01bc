package dev.kinglet.dsl;

/** Where the labelled images come from. */
public record Data(DataSource source) {
    public Data {
        RecipeException.require(source != null, "data.source", "missing, e.g. {type: idx, dir: test-data/fashion-mnist}");
    }
}
