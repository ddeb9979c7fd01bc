package dev.kinglet.dsl;

import java.util.List;

/**
 * Where the labelled images come from and how they are split: {@code source}, the validation
 * protocol ({@code split}), the labelled subset to train on ({@code subset}), the image size
 * and channel count every image is converted to, the share held out for testing when the
 * source has no test split of its own, and {@code classes}: the classes to keep (all when left
 * out), relabelled in the order listed. The test split is never used for training or selection.
 * A corrupt, empty, unreadable or missing image file stops the run before training, naming
 * it; with {@code skipBadFiles} it is left out instead, and every file left out is reported.
 */
public record Data(DataSource source, Split split, Subset subset, List<Integer> imageSize, Integer channels, Double testFraction,
                   Boolean skipBadFiles, List<String> classes) {
    public Data {
        RecipeException.require(source != null, "data.source", "missing, e.g. {type: idx, dir: test-data/fashion-mnist}");
        RecipeException.require(!(source instanceof UnlabelledFolder), "data.source",
                "an unlabelledFolder has no labels: use it under pretrain.data, and a labelled source here");
        split = split == null ? new Holdout(null, null) : split;
        subset = subset == null ? new AllImages() : subset;
        imageSize = imageSize == null ? List.of() : List.copyOf(imageSize);
        RecipeException.require(imageSize.isEmpty() || (imageSize.size() == 2 && imageSize.get(0) >= 1 && imageSize.get(1) >= 1),
                "data.imageSize", "must be [height, width] in pixels, e.g. [224, 224], or left out to keep the source's size");
        RecipeException.require(channels == null || channels == 1 || channels == 3, "data.channels",
                "must be 1 (grayscale) or 3 (RGB), or left out to take the model's");
        testFraction = testFraction == null ? 0.2 : testFraction;
        RecipeException.require(testFraction > 0 && testFraction < 1, "data.testFraction", "must be in (0, 1), e.g. 0.2");
        skipBadFiles = skipBadFiles != null && skipBadFiles;
        RecipeException.require(!skipBadFiles || source instanceof ImageFolder || source instanceof CsvManifest, "data.skipBadFiles",
                "applies to imageFolder and csvManifest sources, read file by file; an idx source is read whole: leave it out");
        classes = classes == null ? List.of() : List.copyOf(classes);
        RecipeException.require(classes.size() != 1 && classes.stream().distinct().count() == classes.size(), "data.classes",
                "must name at least 2 distinct classes, e.g. [sandal, sneaker], or be left out to keep all");
        if (source instanceof TableSource) {
            RecipeException.require(imageSize.isEmpty(), "data.imageSize", "a table has rows, not images: leave data.imageSize out");
            RecipeException.require(channels == null, "data.channels", "a table has rows, not images: leave data.channels out");
        }
        if (regression(source)) { // fields are not assigned yet in a compact constructor
            RecipeException.require(!(subset instanceof PerClass), "data.subset",
                    "perClass counts images per class, but a regression task (data.source.task) has no classes: use {type: fraction, fraction: 0.5}");
            RecipeException.require(classes.isEmpty(), "data.classes", "a regression task (data.source.task) has targets, not classes: leave data.classes out");
        }
    }

    public Data(DataSource source, Split split, Subset subset, List<Integer> imageSize, Integer channels, Double testFraction) {
        this(source, split, subset, imageSize, channels, testFraction, null, null);
    }

    public Data(DataSource source) {
        this(source, null, null, null, null, null, null, null);
    }

    /** True when the source is a regression manifest: float targets instead of classes. */
    public boolean regression() {
        return regression(source);
    }

    private static boolean regression(DataSource source) {
        return source instanceof CsvManifest c && c.task() == CsvManifest.Task.REGRESSION
                || source instanceof TableSource t && t.task() == CsvManifest.Task.REGRESSION;
    }

    /** True when the examples are rows of a table ({@link TableSource}) rather than images. */
    public boolean table() {
        return source instanceof TableSource;
    }

    public Data withSource(DataSource s) { return new Data(s, split, subset, imageSize, channels, testFraction, skipBadFiles, classes); }
    public Data withSplit(Split s) { return new Data(source, s, subset, imageSize, channels, testFraction, skipBadFiles, classes); }
    public Data withSubset(Subset s) { return new Data(source, split, s, imageSize, channels, testFraction, skipBadFiles, classes); }
    public Data withImageSize(int height, int width) { return new Data(source, split, subset, List.of(height, width), channels, testFraction, skipBadFiles, classes); }
    public Data withChannels(int c) { return new Data(source, split, subset, imageSize, c, testFraction, skipBadFiles, classes); }
    public Data withSkipBadFiles(boolean skip) { return new Data(source, split, subset, imageSize, channels, testFraction, skip, classes); }
    public Data withClasses(List<String> c) { return new Data(source, split, subset, imageSize, channels, testFraction, skipBadFiles, c); }
}
