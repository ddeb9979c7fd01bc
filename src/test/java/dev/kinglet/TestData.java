package dev.kinglet;

import java.nio.file.Files;
import java.nio.file.Path;

import dev.kinglet.dsl.Data;
import dev.kinglet.dsl.IdxSource;
import dev.kinglet.dsl.Recipe;
import dev.kinglet.dsl.Train;

/** Where the repository's test-data/ is, from any module's working directory. */
public final class TestData {
    private TestData() {}

    public static Path root() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("test-data/fashion-mnist"))) return p;
        }
        throw new IllegalStateException("test-data/fashion-mnist not found above " + Path.of("").toAbsolutePath());
    }

    public static Path fashionMnist() {
        return root().resolve("test-data/fashion-mnist");
    }

    /** A small-CNN recipe on the Fashion-MNIST subset, without baselines. */
    public static Recipe fashionRecipe(int epochs, int batch, long seed) {
        return Recipe.of("test-fashion", new Data(IdxSource.fashionMnist(fashionMnist().toString())))
                .withTrain(Train.defaults().withEpochs(epochs).withBatchSize(batch)).withSeed(seed)
                .withBaseline(dev.kinglet.dsl.Baseline.none()); // baselines are tested on their own (BaselinesTest, RunReportTest)
    }
}
