package dev.kinglet.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Supplier;

import org.bytedeco.pytorch.AdamOptions;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import dev.kinglet.augment.Augmenter;
import dev.kinglet.baseline.Baselines;
import dev.kinglet.data.Loader;
import dev.kinglet.dsl.Baseline;
import dev.kinglet.dsl.RandomForest;
import dev.kinglet.data.Datasets;
import dev.kinglet.data.ImageSet;
import dev.kinglet.dsl.IdxSource;
import dev.kinglet.dsl.SmallCnn;
import dev.kinglet.dsl.Model;
import dev.kinglet.model.Network;
import dev.kinglet.natives.BatchBuffer;
import dev.kinglet.natives.Device;
import dev.kinglet.natives.NativeRuntime;
import dev.kinglet.natives.Normalization;
import dev.kinglet.natives.Scope;

/**
 * The Kinglet side of {@code src/bench/run.sh}: the small CNN of {@code fashion-quick} trained
 * (batch 64) or evaluated (batch 256) on test-data, timed in rounds. Prints {@code img/s <v>}
 * per round, like {@code src/bench/bench.py} does for Python PyTorch.
 */
public final class Bench {
    /**
     * The demo's random-forest baseline (100 trees on the {@code data} training images' pixels / 255,
     * scored on its test images), fitted {@code fits} times in this JVM with seeds 0, 1, ..., as
     * {@code src/bench/forest.py} fits scikit-learn's: prints {@code cold <seconds of the first fit
     * and predict>}, {@code seconds <median of the others>} and {@code accuracy <median>}.
     */
    static void forest(String data, int fits) throws java.io.IOException {
        try (Datasets.Split split = Datasets.load(IdxSource.fashionMnist(data), Path.of(""))) {
            List<Double> seconds = new ArrayList<>(), accuracy = new ArrayList<>();
            for (int seed = 0; seed < fits; seed++) {
                var r = Baselines.run(new Baseline(List.of(new RandomForest(100)), null), split.train(), split.test(), seed, null).getFirst();
                seconds.add(r.seconds());
                accuracy.add(r.accuracy());
            }
            System.out.printf(Locale.ROOT, "cold %.3f%nseconds %.3f%naccuracy %.4f%n", seconds.getFirst(),
                    median(seconds.subList(Math.min(1, fits - 1), fits)), median(accuracy));
        }
    }

    private static double median(List<Double> values) {
        List<Double> v = values.stream().sorted().toList();
        return v.size() % 2 == 1 ? v.get(v.size() / 2) : (v.get(v.size() / 2 - 1) + v.get(v.size() / 2)) / 2;
    }

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "train";
        int rounds = 1;
        double seconds = 10;
        String data = "test-data/fashion-mnist";
        int batch = 0;
        for (int i = 1; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
                case "--seconds" -> seconds = Double.parseDouble(args[i + 1]);
                case "--data" -> data = args[i + 1];
                case "--batch" -> batch = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i] + " (--rounds, --seconds, --data, --batch)");
            }
        }
        if (mode.equals("augment") || mode.equals("augment-decode")) {
            augment(data, rounds, seconds, mode.equals("augment-decode"));
            return;
        }
        if (mode.equals("forest")) {
            forest(data, rounds);
            return;
        }
        if (!mode.equals("train") && !mode.equals("eval")) throw new IllegalArgumentException("mode is train, eval, augment, augment-decode or forest, got " + mode);
        NativeRuntime.start(NativeRuntime.defaultThreads(), 42, Device.CPU);
        try (Datasets.Split split = Datasets.load(IdxSource.fashionMnist(data), Path.of(""))) {
            ImageSet set = mode.equals("train") ? split.train() : split.test();
            Normalization norm = set.statistics();
            var net = Network.build(new Model(new SmallCnn(null, null, null, null)), 1, 28, 28, 10);
            int b = batch > 0 ? batch : mode.equals("train") ? 64 : 256;
            try (var loader = new Loader(1, Augmenter.NONE, norm, b, 28, 28, Loader.defaultWorkers(), 2)) {
                Work work = mode.equals("train") ? trainer(net, set, loader) : evaluator(net, set, loader);
                work.run();
                for (int r = 0; r < rounds; r++) {
                    long images = 0, start = System.nanoTime();
                    while (System.nanoTime() - start < seconds * 1e9) images += work.run();
                    System.out.printf(Locale.ROOT, "img/s %.1f%n", images / ((System.nanoTime() - start) / 1e9));
                }
            }
        }
    }

    /**
     * The augmentation pipeline of src/bench/augment.py on an image folder: RandomResizedCrop 224,
     * flip, rotation 15, colour jitter 0.4, normalise, collate, batch 64. From the images decoded
     * once ({@code augment}), or reading and decoding each file every time it is drawn
     * ({@code augment-decode}, as TorchVision's DataLoader does).
     */
    static void augment(String dir, int rounds, double seconds, boolean decodeEveryTime) throws Exception {
        NativeRuntime.start(NativeRuntime.defaultThreads(), 42, Device.CPU);
        var data = new dev.kinglet.dsl.Data(new dev.kinglet.dsl.ImageFolder(dir), null, null, null, 3, 0.01);
        var ops = java.util.List.<dev.kinglet.dsl.AugmentOp>of(
                new dev.kinglet.dsl.AugmentOp.RandomResizedCrop(java.util.List.of(224), null, null, null, null),
                new dev.kinglet.dsl.AugmentOp.HorizontalFlip(null, null), new dev.kinglet.dsl.AugmentOp.Rotate(15.0, null, null, "nearest"),
                new dev.kinglet.dsl.AugmentOp.ColorJitter(0.4, 0.4, 0.4, 0.0));
        var norm = new Normalization(new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f});
        var rng = new SplittableRandom(42);
        if (decodeEveryTime) {
            // every file of every class folder, as TorchVision's ImageFolder lists them
            List<Path> files = new ArrayList<>();
            List<Integer> labels = new ArrayList<>();
            List<String> classes;
            try (var s = Files.list(Path.of(dir))) {
                classes = s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
            }
            for (int c = 0; c < classes.size(); c++) {
                try (var s = Files.list(Path.of(dir, classes.get(c)))) {
                    for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
                        files.add(p);
                        labels.add(c);
                    }
                }
            }
            int[] y = labels.stream().mapToInt(Integer::intValue).toArray();
            var aug = new Augmenter(ops, classes, "augment.train");
            try (var loader = new Loader(3, aug, norm, 64, 224, 224, Loader.defaultWorkers(), 2)) {
                timeAugment(rounds, seconds, () -> loader.epoch(files, y, order(files.size(), rng), rng.nextLong(), false));
            }
            return;
        }
        try (Datasets.Split split = Datasets.load(data, Path.of(""), 42)) {
            ImageSet set = split.train();
            var aug = new Augmenter(ops, set.classes(), "augment.train");
            try (var loader = new Loader(3, aug, norm, 64, 224, 224, Loader.defaultWorkers(), 2)) {
                timeAugment(rounds, seconds, () -> loader.epoch(set, order(set.size(), rng), rng.nextLong(), false));
            }
        }
    }

    /** One warm-up epoch, then per round the batches of as many epochs as fit in {@code seconds}. */
    private static void timeAugment(int rounds, double seconds, Supplier<Iterable<BatchBuffer.Batch>> epoch) {
        for (var b : epoch.get()) b.size(); // warm-up
        for (int r = 0; r < rounds; r++) {
            long images = 0, start = System.nanoTime();
            while (System.nanoTime() - start < seconds * 1e9) {
                for (var b : epoch.get()) {
                    images += b.size();
                    if (System.nanoTime() - start >= seconds * 1e9) break;
                }
            }
            System.out.printf(Locale.ROOT, "img/s %.1f%n", images / ((System.nanoTime() - start) / 1e9));
        }
    }

    interface Work {
        long run();
    }

    private static int[] order(int n, SplittableRandom rng) {
        int[] o = new int[n];
        for (int i = 0; i < n; i++) o[i] = i;
        for (int i = n - 1; rng != null && i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = o[i]; o[i] = o[j]; o[j] = t;
        }
        return o;
    }

    private static Work trainer(Network net, ImageSet set, Loader loader) {
        var opt = new org.bytedeco.pytorch.Adam(net.parameters(), new AdamOptions(1e-3));
        var rng = new SplittableRandom(42);
        net.train(true);
        return () -> {
            long done = 0;
            for (BatchBuffer.Batch bt : loader.epoch(set, order(set.size(), rng), rng.nextLong(), true)) {
                if (bt.size() < loader.batchSize()) continue; // whole batches only, as the Python side
                try (var s = Scope.step()) {
                    opt.zero_grad();
                    Tensor loss = torch.cross_entropy(net.forward(bt.images()), bt.labels());
                    loss.backward();
                    opt.step();
                    loss.item_float();
                }
                done += bt.size();
            }
            return done;
        };
    }

    private static Work evaluator(Network net, ImageSet set, Loader loader) {
        net.train(false);
        return () -> {
            long correct = 0;
            for (BatchBuffer.Batch bt : loader.epoch(set, order(set.size(), null), 0, false)) {
                try (var s = Scope.evalBatch()) {
                    correct += net.forward(bt.images()).argmax(new LongOptional(1), false).eq(bt.labels()).sum().item_long();
                }
            }
            return set.size() + (correct < 0 ? 1 : 0);
        };
    }
}
