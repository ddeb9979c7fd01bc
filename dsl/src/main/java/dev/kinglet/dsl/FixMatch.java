package dev.kinglet.dsl;

import java.util.List;

/**
 * FixMatch (Sohn et al., NeurIPS 2020). Every optimiser step also draws {@code ratio} times the
 * batch size of unlabelled images; each is seen twice in the same forward pass as the labelled
 * batch: a weak view (the recipe's {@code augment.train}) and a strong one ({@code augment.train}
 * followed by {@code strong}). Where the weak view's most probable class has probability at least
 * {@code threshold}, that class is the pseudo-label the strong view is trained to predict; the
 * loss is the labelled batch's plus {@code weight} times the mean over the unlabelled batch (images
 * below the threshold count zero). The weak view's prediction is not differentiated. Validation
 * and the test see the weights' exponential moving average ({@code ema}, warmed up as
 * {@code min(ema, (1 + step) / (10 + step))}), as the paper evaluates; {@code train.ema}, when set,
 * takes its place.
 *
 * <p>The unlabelled images: by default the images of the job's training part that are not in its
 * labelled subset (never its validation images, never the test split), or those of {@code data}
 * (an {@code unlabelledFolder}, or another labelled source whose training split is used without
 * its labels), refused when any of them is one of the test split's images (by content).
 *
 * @param threshold confidence a weak view's prediction needs to become a pseudo-label, in [0, 1] (default 0.95)
 * @param ratio     unlabelled images per labelled image in a step, 1..32 (default 7: 224 beside a batch of 32)
 * @param weight    weight of the unlabelled loss, >= 0 (default 1)
 * @param strong    ops applied after {@code augment.train}'s to make the strong view; must keep the image size
 *                  (default RandAugment of 2 ops at magnitude 10 and random erasing of every image, FixMatch's
 *                  RandAugment + Cutout)
 * @param data      the unlabelled images in place of the training part's (default: none, the training part's)
 * @param pool      most unlabelled images used, drawn at random per job (default 0: all)
 * @param ema       decay of the weights' moving average that is validated and tested, in (0, 1) (default 0.999)
 * @param thresholds {@code fixed} (default): every class needs {@code threshold}; {@code flexMatch}: Curriculum
 *                  Pseudo Labelling (FlexMatch, Zhang et al., NeurIPS 2021), a threshold per class scaled by how
 *                  many unlabelled images the class has learned so far, see {@link Thresholds#FLEX_MATCH}
 */
public record FixMatch(Double threshold, Integer ratio, Double weight, List<AugmentOp> strong, DataSource data, Integer pool, Double ema,
                       Thresholds thresholds) implements SemiSupervised {
    /** How the confidence a pseudo-label needs is set. */
    public enum Thresholds {
        /** {@code threshold} for every class, as FixMatch. */
        @com.fasterxml.jackson.annotation.JsonProperty("fixed") FIXED,
        /**
         * FlexMatch's Curriculum Pseudo Labelling with its threshold warm-up and convex mapping: each
         * unlabelled image remembers the class its weak view last predicted with at least {@code threshold}
         * (none at first); with sigma_c the images remembered as class c and u those not yet remembered,
         * beta_c = sigma_c / max(max_c sigma_c, u) and class c's threshold is threshold * beta_c / (2 - beta_c).
         * Classes the network has learned least take pseudo-labels at lower confidence; every threshold
         * starts at 0 and rises to {@code threshold} as the pool is learned.
         */
        @com.fasterxml.jackson.annotation.JsonProperty("flexMatch") FLEX_MATCH
    }

    public FixMatch(Double threshold, Integer ratio, Double weight, List<AugmentOp> strong, DataSource data, Integer pool, Double ema) {
        this(threshold, ratio, weight, strong, data, pool, ema, null);
    }

    public FixMatch {
        thresholds = thresholds == null ? Thresholds.FIXED : thresholds;
        threshold = threshold == null ? 0.95 : threshold;
        ratio = ratio == null ? 7 : ratio;
        weight = weight == null ? 1.0 : weight;
        strong = strong == null ? List.of(new AugmentOp.RandAugment(2, 10), new AugmentOp.RandomErasing(1.0, null, null)) : List.copyOf(strong);
        pool = pool == null ? 0 : pool;
        ema = ema == null ? 0.999 : ema;
        RecipeException.require(threshold >= 0 && threshold <= 1, "semiSupervised.threshold",
                "must be a probability in [0, 1], e.g. 0.95 (1 takes a pseudo-label only where the prediction is certain)");
        RecipeException.require(ratio >= 1 && ratio <= 32, "semiSupervised.ratio", "must be in 1..32 unlabelled images per labelled image in a step, e.g. 7");
        RecipeException.require(weight >= 0 && Double.isFinite(weight), "semiSupervised.weight", "must be >= 0, e.g. 1.0");
        RecipeException.require(pool >= 0, "semiSupervised.pool", "must be >= 0 images (0: all of them), e.g. 10000");
        RecipeException.require(ema > 0 && ema < 1, "semiSupervised.ema", "must be a decay in (0, 1), e.g. 0.999");
        for (int i = 0; i < strong.size(); i++) {
            AugmentOp op = strong.get(i);
            RecipeException.require(!(op instanceof MixUp || op instanceof CutMix || op instanceof AugmentOp.Normalize),
                    "semiSupervised.strong[" + i + "]", "is " + op.getClass().getSimpleName()
                            + ": the strong view takes per-image ops (randAugment, randomErasing, affine, colorJitter, ...); normalize and batch mixing belong in augment.train");
        }
    }

    /** The defaults: threshold 0.95, ratio 7, weight 1, RandAugment + random erasing, all unlabelled images, EMA 0.999, fixed thresholds. */
    public static FixMatch defaults() {
        return new FixMatch(null, null, null, null, null, null, null, null);
    }

    /** The same with {@code thresholds}. */
    public FixMatch withThresholds(Thresholds thresholds) {
        return new FixMatch(threshold, ratio, weight, strong, data, pool, ema, thresholds);
    }
}
