package dev.kinglet.dsl;

/** Images without labels, in a folder and its sub-folders: data for unsupervised pre-training. */
public record UnlabelledFolder(String dir) implements DataSource {
    public UnlabelledFolder {
        RecipeException.require(dir != null && !dir.isBlank(), "pretrain.data.dir", "missing: the folder of unlabelled images, e.g. data/unlabelled");
    }
}
