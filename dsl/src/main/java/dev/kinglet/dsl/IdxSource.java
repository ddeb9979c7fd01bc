package dev.kinglet.dsl;

import java.util.List;

/**
 * Images and labels in IDX files (MNIST, Fashion-MNIST), gzip-compressed or not, with the
 * official train/test split. Paths are relative to {@code dir}; {@code dir} is relative to
 * the working directory unless absolute.
 */
public record IdxSource(String dir, String trainImages, String trainLabels, String testImages, String testLabels,
                        List<String> classes) implements DataSource {
    public static final List<String> FASHION_MNIST_CLASSES = List.of("t-shirt/top", "trouser", "pullover", "dress", "coat",
            "sandal", "shirt", "sneaker", "bag", "ankle boot");

    public IdxSource {
        RecipeException.require(dir != null && !dir.isBlank(), "data.source.dir", "missing: the folder of the IDX files, e.g. test-data/fashion-mnist");
        trainImages = trainImages == null ? "train-images-idx3-ubyte.gz" : trainImages;
        trainLabels = trainLabels == null ? "train-labels-idx1-ubyte.gz" : trainLabels;
        testImages = testImages == null ? "t10k-images-idx3-ubyte.gz" : testImages;
        testLabels = testLabels == null ? "t10k-labels-idx1-ubyte.gz" : testLabels;
        classes = classes == null ? List.of() : List.copyOf(classes);
    }

    /** Fashion-MNIST's file names and class names in {@code dir}. */
    public static IdxSource fashionMnist(String dir) {
        return new IdxSource(dir, null, null, null, null, FASHION_MNIST_CLASSES);
    }
}
