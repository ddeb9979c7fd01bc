package dev.kinglet.dsl;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * One augmentation op, run in OpenCV. Probabilities {@code p} default to the usual values of
 * TorchVision and fastai. Sizes are {@code [height, width]}.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = AugmentOp.RandomResizedCrop.class, name = "randomResizedCrop"),
        @JsonSubTypes.Type(value = AugmentOp.Resize.class, name = "resize"),
        @JsonSubTypes.Type(value = AugmentOp.CenterCrop.class, name = "centerCrop"),
        @JsonSubTypes.Type(value = AugmentOp.Pad.class, name = "pad"),
        @JsonSubTypes.Type(value = AugmentOp.HorizontalFlip.class, name = "horizontalFlip"),
        @JsonSubTypes.Type(value = AugmentOp.VerticalFlip.class, name = "verticalFlip"),
        @JsonSubTypes.Type(value = AugmentOp.Rotate.class, name = "rotate"),
        @JsonSubTypes.Type(value = AugmentOp.Affine.class, name = "affine"),
        @JsonSubTypes.Type(value = AugmentOp.Perspective.class, name = "perspective"),
        @JsonSubTypes.Type(value = AugmentOp.ColorJitter.class, name = "colorJitter"),
        @JsonSubTypes.Type(value = AugmentOp.Grayscale.class, name = "grayscale"),
        @JsonSubTypes.Type(value = AugmentOp.GaussianBlur.class, name = "gaussianBlur"),
        @JsonSubTypes.Type(value = AugmentOp.GaussianNoise.class, name = "gaussianNoise"),
        @JsonSubTypes.Type(value = AugmentOp.RandomErasing.class, name = "randomErasing"),
        @JsonSubTypes.Type(value = AugmentOp.RandAugment.class, name = "randAugment"),
        @JsonSubTypes.Type(value = AugmentOp.TrivialAugmentWide.class, name = "trivialAugmentWide"),
        @JsonSubTypes.Type(value = MixUp.class, name = "mixUp"),
        @JsonSubTypes.Type(value = CutMix.class, name = "cutMix"),
        @JsonSubTypes.Type(value = AugmentOp.Normalize.class, name = "normalize")})
public sealed interface AugmentOp permits AugmentOp.RandomResizedCrop, AugmentOp.Resize, AugmentOp.CenterCrop, AugmentOp.Pad,
        AugmentOp.HorizontalFlip, AugmentOp.VerticalFlip, AugmentOp.Rotate, AugmentOp.Affine, AugmentOp.Perspective,
        AugmentOp.ColorJitter, AugmentOp.Grayscale, AugmentOp.GaussianBlur, AugmentOp.GaussianNoise, AugmentOp.RandomErasing,
        AugmentOp.RandAugment, AugmentOp.TrivialAugmentWide, MixUp, CutMix, AugmentOp.Normalize {

    /** True for ops that give the same output every time (allowed in the eval pipeline). */
    default boolean deterministic() {
        return false;
    }

    private static java.util.List<Integer> size(java.util.List<Integer> s, String path) {
        RecipeException.require(s != null && (s.size() == 1 || s.size() == 2) && s.stream().allMatch(v -> v != null && v >= 1),
                path, "must be [height, width] (or [side]) in pixels, e.g. [224, 224]");
        return s.size() == 1 ? java.util.List.of(s.get(0), s.get(0)) : java.util.List.copyOf(s);
    }

    private static double p(Double p, double dflt, String op) {
        double v = p == null ? dflt : p;
        RecipeException.require(v >= 0 && v <= 1, "augment." + op + ".p", "must be a probability in [0, 1], e.g. " + dflt);
        return v;
    }

    private static double range(Double v, double dflt, double lo, double hi, String path, String example) {
        double x = v == null ? dflt : v;
        RecipeException.require(x >= lo && x <= hi, path, "must be in [" + lo + ", " + hi + "], e.g. " + example);
        return x;
    }

    /** TorchVision's RandomResizedCrop: a crop of {@code scale} of the area and {@code ratio} aspect, resized to {@code size}. */
    record RandomResizedCrop(java.util.List<Integer> size, Double scaleMin, Double scaleMax, Double ratioMin, Double ratioMax) implements AugmentOp {
        public RandomResizedCrop {
            size = AugmentOp.size(size, "augment.randomResizedCrop.size");
            scaleMin = range(scaleMin, 0.08, 0.001, 1, "augment.randomResizedCrop.scaleMin", "0.08");
            scaleMax = range(scaleMax, 1.0, 0.001, 1, "augment.randomResizedCrop.scaleMax", "1.0");
            ratioMin = range(ratioMin, 3.0 / 4, 0.01, 100, "augment.randomResizedCrop.ratioMin", "0.75");
            ratioMax = range(ratioMax, 4.0 / 3, 0.01, 100, "augment.randomResizedCrop.ratioMax", "1.333");
            RecipeException.require(scaleMin <= scaleMax, "augment.randomResizedCrop.scaleMin", "must be <= scaleMax (" + scaleMax + ")");
            RecipeException.require(ratioMin <= ratioMax, "augment.randomResizedCrop.ratioMin", "must be <= ratioMax (" + ratioMax + ")");
        }
    }

    /** Resize to {@code size} (area interpolation when shrinking, which antialiases like PIL). */
    record Resize(java.util.List<Integer> size) implements AugmentOp {
        public Resize { size = AugmentOp.size(size, "augment.resize.size"); }
        @Override public boolean deterministic() { return true; }
    }

    record CenterCrop(java.util.List<Integer> size) implements AugmentOp {
        public CenterCrop { size = AugmentOp.size(size, "augment.centerCrop.size"); }
        @Override public boolean deterministic() { return true; }
    }

    /** Pads every side by {@code pixels}; {@code mode} is constant (zeros), reflect or replicate. */
    record Pad(Integer pixels, String mode) implements AugmentOp {
        public Pad {
            pixels = pixels == null ? 4 : pixels;
            mode = mode == null ? "constant" : mode;
            RecipeException.require(pixels >= 0 && pixels <= 1024, "augment.pad.pixels", "must be in 0..1024, e.g. 4");
            RecipeException.require(mode.equals("constant") || mode.equals("reflect") || mode.equals("replicate"), "augment.pad.mode",
                    "'" + mode + "' is not one of constant, reflect, replicate");
        }
        @Override public boolean deterministic() { return true; }
    }

    record HorizontalFlip(Double p, LabelRule labels) implements AugmentOp {
        public HorizontalFlip { p = AugmentOp.p(p, 0.5, "horizontalFlip"); }
    }

    record VerticalFlip(Double p, LabelRule labels) implements AugmentOp {
        public VerticalFlip { p = AugmentOp.p(p, 0.5, "verticalFlip"); }
    }

    /**
     * How a geometric op samples its input: {@code bilinear} (Kinglet's default: smoother on small
     * images) or {@code nearest} (TorchVision's default for RandomRotation, RandomAffine and
     * RandomPerspective, and about twice as fast).
     */
    private static String interpolation(String v, String op) {
        String x = v == null ? "bilinear" : v;
        RecipeException.require(x.equals("bilinear") || x.equals("nearest"), "augment." + op + ".interpolation",
                "'" + x + "' is not one of bilinear, nearest");
        return x;
    }

    /** Rotation by a uniform angle in [-degrees, degrees]; {@code interpolation} bilinear (default) or nearest. */
    record Rotate(Double degrees, Double p, LabelRule labels, String interpolation) implements AugmentOp {
        public Rotate {
            degrees = range(degrees, 15.0, 0, 180, "augment.rotate.degrees", "15");
            p = AugmentOp.p(p, 1.0, "rotate");
            interpolation = AugmentOp.interpolation(interpolation, "rotate");
        }
    }

    /** Random affine map: translation as a fraction of the size, scale range, shear in degrees. */
    record Affine(Double translate, Double scaleMin, Double scaleMax, Double shear, Double p, LabelRule labels, String interpolation) implements AugmentOp {
        public Affine {
            translate = range(translate, 0.1, 0, 1, "augment.affine.translate", "0.1");
            scaleMin = range(scaleMin, 0.9, 0.01, 10, "augment.affine.scaleMin", "0.9");
            scaleMax = range(scaleMax, 1.1, 0.01, 10, "augment.affine.scaleMax", "1.1");
            shear = range(shear, 10.0, 0, 89, "augment.affine.shear", "10");
            p = AugmentOp.p(p, 1.0, "affine");
            interpolation = AugmentOp.interpolation(interpolation, "affine");
            RecipeException.require(scaleMin <= scaleMax, "augment.affine.scaleMin", "must be <= scaleMax (" + scaleMax + ")");
        }
    }

    record Perspective(Double distortion, Double p, LabelRule labels, String interpolation) implements AugmentOp {
        public Perspective {
            distortion = range(distortion, 0.5, 0, 1, "augment.perspective.distortion", "0.5");
            p = AugmentOp.p(p, 0.5, "perspective");
            interpolation = AugmentOp.interpolation(interpolation, "perspective");
        }
    }

    /** TorchVision's ColorJitter: factors drawn from [1-x, 1+x] (hue: shift in [-hue, hue] of a full turn). */
    record ColorJitter(Double brightness, Double contrast, Double saturation, Double hue) implements AugmentOp {
        public ColorJitter {
            brightness = range(brightness, 0.4, 0, 1, "augment.colorJitter.brightness", "0.4");
            contrast = range(contrast, 0.4, 0, 1, "augment.colorJitter.contrast", "0.4");
            saturation = range(saturation, 0.4, 0, 1, "augment.colorJitter.saturation", "0.4");
            hue = range(hue, 0.0, 0, 0.5, "augment.colorJitter.hue", "0.1");
        }
    }

    /** Grayscale with probability {@code p} (1.0 in the eval pipeline makes it deterministic). */
    record Grayscale(Double p) implements AugmentOp {
        public Grayscale { p = AugmentOp.p(p, 0.1, "grayscale"); }
        @Override public boolean deterministic() { return p == 0.0 || p == 1.0; }
    }

    record GaussianBlur(Integer kernel, Double sigmaMin, Double sigmaMax, Double p) implements AugmentOp {
        public GaussianBlur {
            kernel = kernel == null ? 3 : kernel;
            RecipeException.require(kernel >= 1 && kernel % 2 == 1 && kernel <= 99, "augment.gaussianBlur.kernel", "must be odd, 1..99, e.g. 3");
            sigmaMin = range(sigmaMin, 0.1, 0.001, 100, "augment.gaussianBlur.sigmaMin", "0.1");
            sigmaMax = range(sigmaMax, 2.0, 0.001, 100, "augment.gaussianBlur.sigmaMax", "2.0");
            p = AugmentOp.p(p, 0.5, "gaussianBlur");
            RecipeException.require(sigmaMin <= sigmaMax, "augment.gaussianBlur.sigmaMin", "must be <= sigmaMax (" + sigmaMax + ")");
        }
    }

    /** Additive Gaussian noise of standard deviation {@code std} (on the [0, 1] pixel scale). */
    record GaussianNoise(Double std, Double p) implements AugmentOp {
        public GaussianNoise {
            std = range(std, 0.05, 0, 1, "augment.gaussianNoise.std", "0.05");
            p = AugmentOp.p(p, 0.5, "gaussianNoise");
        }
    }

    /** Random erasing (Zhong et al.): a rectangle of {@code scale} of the area filled with noise. */
    record RandomErasing(Double p, Double scaleMin, Double scaleMax) implements AugmentOp {
        public RandomErasing {
            p = AugmentOp.p(p, 0.5, "randomErasing");
            scaleMin = range(scaleMin, 0.02, 0.001, 1, "augment.randomErasing.scaleMin", "0.02");
            scaleMax = range(scaleMax, 0.33, 0.001, 1, "augment.randomErasing.scaleMax", "0.33");
            RecipeException.require(scaleMin <= scaleMax, "augment.randomErasing.scaleMin", "must be <= scaleMax (" + scaleMax + ")");
        }
    }

    /** RandAugment (Cubuk et al.): {@code n} random ops per image at {@code magnitude} of 30. */
    record RandAugment(Integer n, Integer magnitude) implements AugmentOp {
        public RandAugment {
            n = n == null ? 2 : n;
            magnitude = magnitude == null ? 9 : magnitude;
            RecipeException.require(n >= 1 && n <= 10, "augment.randAugment.n", "must be in 1..10, e.g. 2");
            RecipeException.require(magnitude >= 0 && magnitude <= 30, "augment.randAugment.magnitude", "must be in 0..30, e.g. 9");
        }
    }

    /** TrivialAugmentWide (Müller and Hutter): one random op per image at a random magnitude. */
    record TrivialAugmentWide() implements AugmentOp {}

    /** Per-channel normalisation; left out, Kinglet uses the training images' own statistics. */
    record Normalize(java.util.List<Double> mean, java.util.List<Double> std) implements AugmentOp {
        public Normalize {
            RecipeException.require(mean != null && std != null && !mean.isEmpty() && mean.size() == std.size(), "augment.normalize",
                    "needs mean and std with one value per channel, e.g. {mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225]}");
            RecipeException.require(std.stream().allMatch(s -> s != null && s > 0), "augment.normalize.std", "values must be > 0, e.g. 0.229");
            mean = java.util.List.copyOf(mean);
            std = java.util.List.copyOf(std);
        }
        @Override public boolean deterministic() { return true; }
    }
}
