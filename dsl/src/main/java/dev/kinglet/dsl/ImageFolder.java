package dev.kinglet.dsl;

/**
 * One sub-folder per class ({@code dir/cat/*.jpg}); optional {@code train/}, {@code val/} and
 * {@code test/} folders above them fix the split.
 */
public record ImageFolder(String dir) implements DataSource {
    public ImageFolder {
        RecipeException.require(dir != null && !dir.isBlank(), "data.source.dir", "missing: the folder of class sub-folders, e.g. data/birds");
    }
}
