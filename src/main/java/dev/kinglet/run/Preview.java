package dev.kinglet.run;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import dev.kinglet.augment.Pipelines;
import dev.kinglet.data.Datasets;
import dev.kinglet.dsl.Recipe;
import dev.kinglet.natives.Device;
import dev.kinglet.natives.Image;
import dev.kinglet.natives.NativeRuntime;
import dev.kinglet.natives.Scope;

/**
 * A picture of the training pipeline: one row per sample, the original (through the eval
 * pipeline) first, then {@code views} augmented draws. People would rather look than read.
 */
public final class Preview {
    private Preview() {}

    /** Writes the grid PNG and returns its size as "W x H". */
    public static String write(Recipe recipe, Path dataBase, int samples, int views, Path out) throws IOException {
        NativeRuntime.start(NativeRuntime.defaultThreads(), recipe.seed(), Device.CPU);
        try (var split = Datasets.load(recipe.data(), dataBase, recipe.seed())) {
            return write(recipe, split.train(), samples, views, out);
        }
    }

    /** The grid of {@code train}'s images, as {@link #write(Recipe, Path, int, int, Path)}, with the native runtime started. */
    static String write(Recipe recipe, dev.kinglet.data.ImageSet train, int samples, int views, Path out) throws IOException {
        try (var scope = Scope.image()) {
            var pipes = Pipelines.of(recipe.augment(), train.classes(), train.targetNames());
            int n = Math.min(samples, train.size());
            List<Image> cells = new ArrayList<>();
            int[] size = pipes.train().outputSize(train.pixels().height(), train.pixels().width());
            int factor = Math.max(1, 96 / Math.max(size[0], size[1]));
            SplittableRandom rng = new SplittableRandom(recipe.seed());
            for (int i = 0; i < n; i++) {
                int position = (int) ((long) i * train.size() / n); // spread over the set, so several classes show
                Image original = Image.of(train.pixels(), train.row(position));
                cells.add(pipes.eval().apply(original, train.label(position), rng.split()).image().enlarge(factor));
                for (int v = 0; v < views; v++) {
                    cells.add(pipes.train().apply(original, train.label(position), rng.split()).image().enlarge(factor));
                }
            }
            Image grid = Image.grid(cells, 1 + views);
            grid.writePng(out);
            return grid.width() + " x " + grid.height();
        }
    }
}
