package dev.kinglet.augment;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;

import dev.kinglet.dsl.AugmentOp;
import dev.kinglet.dsl.CutMix;
import dev.kinglet.dsl.LabelRule;
import dev.kinglet.dsl.MixUp;
import dev.kinglet.dsl.RecipeException;
import dev.kinglet.natives.Image;

/**
 * One augmentation pipeline: the recipe's ops applied in order to one image with the sample's
 * own random generator, so a seed gives the same images whatever thread runs them. Geometric
 * ops may change the label where the recipe says how: {@code labels.swap} trades classes, and
 * {@code labels.negate} flips the sign of regression targets, each exactly when the op's draw
 * changes the image. For classification a rule is optional and {@code negate} is refused; for
 * regression every geometric op needs one (see {@link RegressionRules}).
 */
public final class Augmenter {
    private final List<AugmentOp> ops;
    /** Per kept op: the indices of the targets it negates when it flips the image. */
    private final int[][] negate;
    private final List<String> classes;
    private final String path;

    /** @param path the recipe path of the pipeline, e.g. {@code augment.train}, for errors */
    public Augmenter(List<AugmentOp> ops, List<String> classes, String path) {
        this(ops, classes, List.of(), path);
    }

    /**
     * @param targets the names of the regression targets; empty for classification
     * @param path    the recipe path of the pipeline, e.g. {@code augment.train}, for errors
     */
    public Augmenter(List<AugmentOp> ops, List<String> classes, List<String> targets, String path) {
        this.path = path;
        this.classes = classes;
        List<AugmentOp> kept = new ArrayList<>();
        List<int[]> negates = new ArrayList<>();
        for (int i = 0; i < ops.size(); i++) {
            AugmentOp op = ops.get(i);
            if (!targets.isEmpty()) RegressionRules.check(op, labelRule(op), targets, path + "[" + i + "]");
            if (op instanceof AugmentOp.Normalize) continue; // applied when the batch slot is written
            if (op instanceof MixUp || op instanceof CutMix) continue; // batch level
            LabelRule rule = labelRule(op);
            negates.add(rule == null ? new int[0] : rule.negate().stream().mapToInt(targets::indexOf).toArray());
            if (rule != null && targets.isEmpty()) {
                if (!rule.negate().isEmpty()) {
                    throw new RecipeException(path + "[" + i + "].labels.negate",
                            "negates regression targets, but this is a classification task: use swap, e.g. {left: right}");
                }
                for (var e : rule.swap().entrySet()) {
                    for (String name : List.of(e.getKey(), e.getValue())) {
                        if (!classes.contains(name)) {
                            throw new RecipeException(path + "[" + i + "].labels.swap", "'" + name + "' is not a class; classes are " + classes);
                        }
                    }
                }
            }
            kept.add(op);
        }
        this.ops = List.copyOf(kept);
        this.negate = negates.toArray(int[][]::new);
    }

    /** The indices of the regression targets that some op of this pipeline negates. */
    public Set<Integer> negatedTargets() {
        Set<Integer> out = new TreeSet<>();
        for (int[] n : negate) for (int j : n) out.add(j);
        return out;
    }

    /** The pipeline with no ops. */
    public static final Augmenter NONE = new Augmenter(List.of(), List.of(), "augment");

    public boolean isEmpty() {
        return ops.isEmpty();
    }

    /** The size this pipeline turns {@code height x width} inputs into. */
    public int[] outputSize(int height, int width) {
        return outputSize(ops, height, width);
    }

    /** An augmented image and its (possibly changed) label, or its regression targets (null for classification). */
    public record Sample(Image image, int label, float[] targets) {}

    public Sample apply(Image image, int label, SplittableRandom rng) {
        return apply(image, label, null, rng);
    }

    /** Augments {@code image}; {@code targets} (regression, or null) are not changed: the sample gets its own copy. */
    public Sample apply(Image image, int label, float[] targets, SplittableRandom rng) {
        Image img = image;
        int y = label;
        float[] values = targets == null ? null : targets.clone();
        for (int k = 0; k < ops.size(); k++) {
            AugmentOp op = ops.get(k);
            switch (op) {
                case AugmentOp.RandomResizedCrop c -> img = randomResizedCrop(img, c, rng);
                case AugmentOp.Resize r -> img = img.resize(r.size().get(0), r.size().get(1));
                case AugmentOp.CenterCrop c -> img = img.centerCrop(c.size().get(0), c.size().get(1));
                case AugmentOp.Pad p -> img = img.pad(p.pixels(), p.mode());
                case AugmentOp.HorizontalFlip f -> {
                    if (rng.nextDouble() < f.p()) {
                        img = img.flipHorizontal();
                        y = relabel(y, f.labels());
                        negate(values, negate[k]);
                    }
                }
                case AugmentOp.VerticalFlip f -> {
                    if (rng.nextDouble() < f.p()) {
                        img = img.flipVertical();
                        y = relabel(y, f.labels());
                        negate(values, negate[k]);
                    }
                }
                case AugmentOp.Rotate r -> {
                    if (rng.nextDouble() < r.p()) img = Geometry.rotate(img, uniform(rng, -r.degrees(), r.degrees()), Image.Interpolation.of(r.interpolation()));
                }
                case AugmentOp.Affine a -> {
                    if (rng.nextDouble() < a.p()) {
                        img = Geometry.affine(img, 0, uniform(rng, -a.translate(), a.translate()), uniform(rng, -a.translate(), a.translate()),
                                uniform(rng, a.scaleMin(), a.scaleMax()), uniform(rng, -a.shear(), a.shear()), 0, Image.Interpolation.of(a.interpolation()));
                    }
                }
                case AugmentOp.Perspective p -> {
                    if (rng.nextDouble() < p.p()) img = Geometry.perspective(img, p.distortion(), Image.Interpolation.of(p.interpolation()), rng);
                }
                case AugmentOp.ColorJitter j -> img = colorJitter(img, j, rng);
                case AugmentOp.Grayscale g -> {
                    if (rng.nextDouble() < g.p()) img = img.toChannels(1).toChannels(img.channels());
                }
                case AugmentOp.GaussianBlur b -> {
                    if (rng.nextDouble() < b.p()) img = img.gaussianBlur(b.kernel(), uniform(rng, b.sigmaMin(), b.sigmaMax()));
                }
                case AugmentOp.GaussianNoise n -> {
                    if (rng.nextDouble() < n.p()) img = img.gaussianNoise(n.std(), rng);
                }
                case AugmentOp.RandomErasing e -> {
                    if (rng.nextDouble() < e.p()) img = randomErasing(img, e, rng);
                }
                case AugmentOp.RandAugment r -> img = AutoAugment.randAugment(img, r.n(), r.magnitude(), rng);
                case AugmentOp.TrivialAugmentWide t -> img = AutoAugment.trivialAugmentWide(img, rng);
                case MixUp m -> { }
                case CutMix c -> { }
                case AugmentOp.Normalize n -> { }
            }
        }
        return new Sample(img, y, values);
    }

    private static void negate(float[] targets, int[] which) {
        if (targets == null) return;
        for (int j : which) targets[j] = -targets[j];
    }

    private int relabel(int y, LabelRule rule) {
        if (rule == null || rule.swap().isEmpty()) return y;
        String name = classes.get(y);
        for (Map.Entry<String, String> e : rule.swap().entrySet()) {
            if (e.getKey().equals(name)) return classes.indexOf(e.getValue());
            if (e.getValue().equals(name)) return classes.indexOf(e.getKey());
        }
        return y;
    }

    static LabelRule labelRule(AugmentOp op) {
        return switch (op) {
            case AugmentOp.HorizontalFlip f -> f.labels();
            case AugmentOp.VerticalFlip f -> f.labels();
            case AugmentOp.Rotate r -> r.labels();
            case AugmentOp.Affine a -> a.labels();
            case AugmentOp.Perspective p -> p.labels();
            default -> null;
        };
    }

    static double uniform(SplittableRandom rng, double lo, double hi) {
        return lo + (hi - lo) * rng.nextDouble();
    }

    /** TorchVision's RandomResizedCrop.get_params: 10 tries at a random area and aspect, else a centred crop. */
    static Image randomResizedCrop(Image img, AugmentOp.RandomResizedCrop c, SplittableRandom rng) {
        int H = img.height(), W = img.width();
        double area = (double) H * W, logMin = Math.log(c.ratioMin()), logMax = Math.log(c.ratioMax());
        for (int attempt = 0; attempt < 10; attempt++) {
            double target = area * uniform(rng, c.scaleMin(), c.scaleMax());
            double aspect = Math.exp(uniform(rng, logMin, logMax));
            int w = (int) Math.round(Math.sqrt(target * aspect)), h = (int) Math.round(Math.sqrt(target / aspect));
            if (w > 0 && h > 0 && w <= W && h <= H) {
                int y = rng.nextInt(H - h + 1), x = rng.nextInt(W - w + 1);
                return img.cropResize(x, y, w, h, c.size().get(0), c.size().get(1));
            }
        }
        double ratio = (double) W / H;
        int w, h;
        if (ratio < c.ratioMin()) { w = W; h = (int) Math.round(w / c.ratioMin()); }
        else if (ratio > c.ratioMax()) { h = H; w = (int) Math.round(h * c.ratioMax()); }
        else { w = W; h = H; }
        return img.cropResize((W - w) / 2, (H - h) / 2, w, h, c.size().get(0), c.size().get(1));
    }

    /** TorchVision's ColorJitter: brightness, contrast, saturation and hue in a random order. */
    static Image colorJitter(Image img, AugmentOp.ColorJitter j, SplittableRandom rng) {
        int[] order = {0, 1, 2, 3};
        for (int i = 3; i > 0; i--) {
            int k = rng.nextInt(i + 1);
            int t = order[i]; order[i] = order[k]; order[k] = t;
        }
        double b = uniform(rng, Math.max(0, 1 - j.brightness()), 1 + j.brightness());
        double c = uniform(rng, Math.max(0, 1 - j.contrast()), 1 + j.contrast());
        double s = uniform(rng, Math.max(0, 1 - j.saturation()), 1 + j.saturation());
        double h = uniform(rng, -j.hue(), j.hue());
        for (int op : order) {
            img = switch (op) {
                case 0 -> j.brightness() > 0 ? img.brightness(b) : img;
                case 1 -> j.contrast() > 0 ? img.contrast(c) : img;
                case 2 -> j.saturation() > 0 ? img.saturation(s) : img;
                default -> j.hue() > 0 ? img.hue(h) : img;
            };
        }
        return img;
    }

    /** TorchVision's RandomErasing: a box of random area share and aspect (log-uniform in [0.3, 3.3]) filled with noise. */
    static Image randomErasing(Image img, AugmentOp.RandomErasing e, SplittableRandom rng) {
        int H = img.height(), W = img.width();
        for (int attempt = 0; attempt < 10; attempt++) {
            double target = H * W * uniform(rng, e.scaleMin(), e.scaleMax());
            double aspect = Math.exp(uniform(rng, Math.log(0.3), Math.log(3.3)));
            int h = (int) Math.round(Math.sqrt(target * aspect)), w = (int) Math.round(Math.sqrt(target / aspect));
            if (h < H && w < W && h > 0 && w > 0) {
                return img.erase(rng.nextInt(W - w + 1), rng.nextInt(H - h + 1), w, h, rng);
            }
        }
        return img;
    }

    /**
     * The output size of {@code ops} for inputs of {@code height x width}: what the batch slots
     * must hold. Sizes set by resize, crops and pads; other ops keep the size.
     */
    public static int[] outputSize(List<AugmentOp> ops, int height, int width) {
        int h = height, w = width;
        for (AugmentOp op : ops) {
            switch (op) {
                case AugmentOp.RandomResizedCrop c -> { h = c.size().get(0); w = c.size().get(1); }
                case AugmentOp.Resize r -> { h = r.size().get(0); w = r.size().get(1); }
                case AugmentOp.CenterCrop c -> { h = c.size().get(0); w = c.size().get(1); }
                case AugmentOp.Pad p -> { h += 2 * p.pixels(); w += 2 * p.pixels(); }
                default -> { }
            }
        }
        return new int[] {h, w};
    }
}
