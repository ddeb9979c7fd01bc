package dev.kinglet.train;

import dev.kinglet.augment.Augmenter;
import dev.kinglet.augment.BatchMix;
import dev.kinglet.dsl.Optimizer;

/**
 * How a {@link Learner} trains, fixed when it is made and checked here, once: the optimizer,
 * batch size and seed, the training and evaluation pipelines (both must end at the same image
 * size; the learner checks that against its images), the objective (null: cross-entropy, or mean
 * squared error for regression targets, made and closed by the learner; one given here stays
 * its caller's), MixUp or CutMix (null: none), gradient clipping of the norm over all parameters
 * before each update (null: none) and how often to validate (null: after every epoch; else at
 * the end of an epoch in which the step count passed a multiple of it, and after a fit's last
 * epoch, decided from the step count alone so that a resumed fit validates the same epochs).
 */
public record LearnerConfig(Optimizer optimizer, int batchSize, long seed, Augmenter trainAugmenter, Augmenter evalAugmenter,
                            Objective objective, BatchMix batchMix, Double clipGradNorm, Integer validateEverySteps) {
    public LearnerConfig {
        if (optimizer == null) throw new IllegalArgumentException("a learner needs an optimizer");
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        trainAugmenter = trainAugmenter == null ? Augmenter.NONE : trainAugmenter;
        evalAugmenter = evalAugmenter == null ? Augmenter.NONE : evalAugmenter;
        if (clipGradNorm != null && !(clipGradNorm > 0 && Double.isFinite(clipGradNorm))) {
            throw new IllegalArgumentException("clipGradNorm must be a finite number > 0 (or null: no clipping), got " + clipGradNorm);
        }
        if (validateEverySteps != null && validateEverySteps < 1) {
            throw new IllegalArgumentException("validateEverySteps must be >= 1 (or null: after every epoch), got " + validateEverySteps);
        }
        if (objective instanceof Objective.Reconstruction && batchMix != null) {
            throw new IllegalArgumentException("a reconstruction objective trains without MixUp or CutMix");
        }
    }

    /** Plain training: no augmentation, the default objective, no MixUp, no clipping, validation after every epoch. */
    public static LearnerConfig of(Optimizer optimizer, int batchSize, long seed) {
        return new LearnerConfig(optimizer, batchSize, seed, null, null, null, null, null, null);
    }

    public LearnerConfig withAugmenters(Augmenter train, Augmenter eval) {
        return new LearnerConfig(optimizer, batchSize, seed, train, eval, objective, batchMix, clipGradNorm, validateEverySteps);
    }

    public LearnerConfig withObjective(Objective o) {
        return new LearnerConfig(optimizer, batchSize, seed, trainAugmenter, evalAugmenter, o, batchMix, clipGradNorm, validateEverySteps);
    }

    public LearnerConfig withBatchMix(BatchMix mix) {
        return new LearnerConfig(optimizer, batchSize, seed, trainAugmenter, evalAugmenter, objective, mix, clipGradNorm, validateEverySteps);
    }

    public LearnerConfig withClipGradNorm(Double maxNorm) {
        return new LearnerConfig(optimizer, batchSize, seed, trainAugmenter, evalAugmenter, objective, batchMix, maxNorm, validateEverySteps);
    }

    public LearnerConfig withValidateEverySteps(Integer steps) {
        return new LearnerConfig(optimizer, batchSize, seed, trainAugmenter, evalAugmenter, objective, batchMix, clipGradNorm, steps);
    }
}
