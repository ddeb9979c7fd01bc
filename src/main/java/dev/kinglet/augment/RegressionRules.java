package dev.kinglet.augment;

import java.util.ArrayList;
import java.util.List;

import dev.kinglet.dsl.AugmentOp;
import dev.kinglet.dsl.CutMix;
import dev.kinglet.dsl.LabelRule;
import dev.kinglet.dsl.MixUp;
import dev.kinglet.dsl.RecipeException;

/**
 * What an augmentation op may do on a regression task. A geometric op can change what a target
 * measures (a horizontal flip negates a steering angle or a left-minus-right score), and Kinglet
 * cannot guess which: each needs a declared {@code labels} rule. Flips may negate targets;
 * rotate, affine and perspective take only {@code negate: []} (the targets do not change), as a
 * random angle or shear turns no target into its negative. Ops that move pixels at random with
 * no rule of their own (RandAugment, TrivialAugmentWide) and label mixing (MixUp, CutMix) are
 * refused. Crops, resizes, pads and photometric ops are taken to leave the targets unchanged.
 */
public final class RegressionRules {
    private RegressionRules() {}

    /**
     * What is wrong with the ops of a pipeline at recipe path {@code path} on a regression task,
     * before the data is read (target names unchecked): one {@code path: why} line per op refused.
     */
    public static List<String> problems(List<AugmentOp> ops, String path) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < ops.size(); i++) {
            try {
                check(ops.get(i), Augmenter.labelRule(ops.get(i)), null, path + "[" + i + "]");
            } catch (RecipeException e) {
                out.add(e.getMessage());
            }
        }
        return out;
    }

    /**
     * Refuses {@code op} (at recipe path {@code at}) with its {@code rule} on a regression task,
     * saying why; with {@code targets} (null: not known yet) the names in {@code negate} are checked too.
     */
    static void check(AugmentOp op, LabelRule rule, List<String> targets, String at) {
        String named = targets == null ? "targets" : "targets " + targets;
        String name = switch (op) {
            case AugmentOp.HorizontalFlip f -> "horizontalFlip";
            case AugmentOp.VerticalFlip f -> "verticalFlip";
            case AugmentOp.Rotate r -> "rotate";
            case AugmentOp.Affine a -> "affine";
            case AugmentOp.Perspective p -> "perspective";
            case AugmentOp.RandAugment r -> throw new RecipeException(at, "randAugment rotates, shears and translates at random with no label rule, "
                    + "which may change the regression " + named + ": list the ops you want instead, each with its labels rule");
            case AugmentOp.TrivialAugmentWide t -> throw new RecipeException(at, "trivialAugmentWide rotates, shears and translates at random with no label rule, "
                    + "which may change the regression " + named + ": list the ops you want instead, each with its labels rule");
            case MixUp m -> throw new RecipeException(at, "mixUp mixes class labels; mixing regression targets is not run by this Kinglet version: leave it out");
            case CutMix c -> throw new RecipeException(at, "cutMix mixes class labels by area; regression targets are not mixed so: leave it out");
            default -> null;
        };
        if (name == null) return;
        boolean flip = op instanceof AugmentOp.HorizontalFlip || op instanceof AugmentOp.VerticalFlip;
        if (rule == null) {
            throw new RecipeException(at + ".labels", name + " may change the regression " + named
                    + (flip ? " (a flip negates e.g. a steering angle or a left-minus-right score)" : "")
                    + " and the recipe does not say how: " + (flip ? "name the targets whose sign flips, e.g. labels: {negate: ["
                    + (targets == null ? "steering" : targets.get(0)) + "]}, or " : "")
                    + "declare labels: {negate: []} if the targets do not change under it");
        }
        if (!rule.swap().isEmpty()) {
            throw new RecipeException(at + ".labels.swap", "swaps classes, but this is a regression task with " + named + ": use negate");
        }
        for (String t : rule.negate()) {
            if (targets != null && !targets.contains(t)) throw new RecipeException(at + ".labels.negate", "'" + t + "' is not a target; the targets are " + targets);
        }
        if (!flip && !rule.negate().isEmpty()) {
            throw new RecipeException(at + ".labels.negate", name + " turns the image by a random amount, which negates no target: "
                    + "only flips negate; declare labels: {negate: []} if the targets do not change under it, or leave the op out");
        }
    }
}
