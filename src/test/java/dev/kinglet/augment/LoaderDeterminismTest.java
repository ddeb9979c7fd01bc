package dev.kinglet.augment;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.kinglet.TestData;
import dev.kinglet.data.Datasets;
import dev.kinglet.data.Loader;
import dev.kinglet.dsl.AugmentOp;
import dev.kinglet.dsl.IdxSource;
import dev.kinglet.natives.Device;
import dev.kinglet.natives.NativeRuntime;
import dev.kinglet.natives.Scope;
import dev.kinglet.natives.TensorMemory;

/** Per-sample seeded augmentation: 1 or 3 loader threads give bit-identical batches. */
class LoaderDeterminismTest {
    static final List<AugmentOp> OPS = List.of(
            new AugmentOp.RandomResizedCrop(List.of(24), null, null, null, null),
            new AugmentOp.HorizontalFlip(null, null), new AugmentOp.Rotate(20.0, 0.5, null, "nearest"),
            new AugmentOp.Affine(null, null, null, null, 0.5, null, null), new AugmentOp.Perspective(null, null, null, null),
            new AugmentOp.ColorJitter(0.4, 0.4, 0.0, 0.0), new AugmentOp.GaussianBlur(3, null, null, null),
            new AugmentOp.GaussianNoise(null, null), new AugmentOp.RandomErasing(null, null, null),
            new AugmentOp.RandAugment(2, 9), new AugmentOp.TrivialAugmentWide(), new AugmentOp.Pad(2, "reflect"));

    static float[][] batches(int workers) throws Exception {
        NativeRuntime.start(2, 0, Device.CPU);
        try (var data = Datasets.load(IdxSource.fashionMnist(TestData.fashionMnist().toString()), Path.of(""))) {
            var train = data.train();
            var aug = new Augmenter(OPS, train.classes(), "augment.train");
            int[] size = aug.outputSize(28, 28);
            assertThat(size).containsExactly(28, 28);
            int[] order = new int[100];
            for (int i = 0; i < order.length; i++) order[i] = (i * 37) % train.size();
            float[][] out = new float[4][];
            try (var loader = new Loader(1, aug, train.statistics(), 32, size[0], size[1], workers, 2)) {
                int k = 0;
                for (var b : loader.epoch(train, order, 1234, false)) {
                    try (var scope = Scope.step()) {
                        out[k++] = TensorMemory.toFloats(b.images());
                    }
                }
            }
            return out;
        }
    }

    @Test
    void oneOrThreeWorkersGiveBitIdenticalBatches() throws Exception {
        float[][] one = batches(1), three = batches(3);
        for (int k = 0; k < 4; k++) assertThat(three[k]).as("batch %d", k).containsExactly(one[k]);
    }

    @Test
    void augmentationChangesTheImages() throws Exception {
        try (var data = Datasets.load(IdxSource.fashionMnist(TestData.fashionMnist().toString()), Path.of(""))) {
            var train = data.train();
            int[] order = new int[32];
            for (int i = 0; i < 32; i++) order[i] = i;
            float[] plain, augmented;
            try (var loader = new Loader(1, Augmenter.NONE, train.statistics(), 32, 28, 28, 2, 1); var s = Scope.step()) {
                plain = TensorMemory.toFloats(loader.epoch(train, order, 1, false).iterator().next().images());
            }
            try (var loader = new Loader(1, new Augmenter(OPS, train.classes(), "augment.train"), train.statistics(), 32, 28, 28, 2, 1);
                 var s = Scope.step()) {
                augmented = TensorMemory.toFloats(loader.epoch(train, order, 1, false).iterator().next().images());
            }
            assertThat(augmented).isNotEqualTo(plain);
        }
    }
}
