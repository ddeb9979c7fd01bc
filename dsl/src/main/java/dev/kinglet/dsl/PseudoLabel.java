package dev.kinglet.dsl;

/**
 * Self-training with pseudo-labels. A teacher (the job's own recipe, trained on its labelled
 * images only) predicts the unlabelled pool: by default the images of the job's training part
 * that are not in its labelled subset (never its validation images, never the test split), or
 * the images of {@code data}. Per class, the
 * pool images it assigns to that class with a softmax probability above {@code threshold} are
 * taken, the most confident first, at most {@code perClass} of them (so that easy classes do not
 * crowd out hard ones); the job's model then trains on the labelled images and these
 * pseudo-labelled ones. With {@code rounds} above 1 each student is the next round's teacher.
 * Costs {@code rounds} extra trainings and predictions over the pool per job.
 *
 * @param threshold softmax probability a pseudo-label must exceed, in [0, 1]; 1 takes none (default 0.9)
 * @param perClass  most pseudo-labels per class (default 100)
 * @param rounds    teacher-student rounds (default 1)
 * @param pool      most pool images the teacher predicts, drawn at random per job (default 10,000; 0: all)
 * @param data      the unlabelled images, in place of the training part's: an {@code unlabelledFolder}, or
 *                  another labelled source whose training split is used without its labels; refused when
 *                  any of its images is one of the test split's (by content). Default: none, the training part's
 * @param labelledShare the share of the student's training set the labelled images make up at least, by
 *                  repeating them (0.5: as many labelled as pseudo-labelled images; 0: each once); in [0, 0.95].
 *                  Default 0.5: on Fashion-MNIST at 10 per class (fashion-semi, 3 draws) the student gained +0.60 points
 *                  over its teacher with it and -0.47 without (+0.86 [+0.03, +1.69] between the two)
 */
public record PseudoLabel(Double threshold, Integer perClass, Integer rounds, Integer pool, DataSource data, Double labelledShare) implements SemiSupervised {
    public PseudoLabel {
        threshold = threshold == null ? 0.9 : threshold;
        perClass = perClass == null ? 100 : perClass;
        rounds = rounds == null ? 1 : rounds;
        pool = pool == null ? 10_000 : pool;
        labelledShare = labelledShare == null ? 0.5 : labelledShare;
        RecipeException.require(labelledShare >= 0 && labelledShare <= 0.95, "semiSupervised.labelledShare",
                "must be in [0, 0.95], e.g. 0.5 (labelled images repeated to half the student's images; 0: each once)");
        RecipeException.require(threshold >= 0 && threshold <= 1, "semiSupervised.threshold",
                "must be a probability in [0, 1], e.g. 0.9 (1 takes no pseudo-label)");
        RecipeException.require(perClass >= 1, "semiSupervised.perClass", "must be >= 1, e.g. 100 pseudo-labels per class at most");
        RecipeException.require(rounds >= 1 && rounds <= 10, "semiSupervised.rounds", "must be in 1..10 teacher-student rounds, e.g. 1");
        RecipeException.require(pool >= 0, "semiSupervised.pool", "must be >= 0 images (0: the whole pool), e.g. 10000");
    }

    /** The defaults: threshold 0.9, 100 per class, one round, a pool of at most 10,000 images, labelled images half the student's. */
    public static PseudoLabel defaults() {
        return new PseudoLabel(null, null, null, null, null, null);
    }

    /**
     * How often the student sees each of {@code labelled} images beside {@code pseudo} pseudo-labelled
     * ones so that they make up at least {@link #labelledShare} of its set (at least once, at most 1,000 times).
     */
    public int labelledRepeats(int labelled, int pseudo) {
        if (labelledShare == 0 || labelled == 0 || pseudo == 0) return 1;
        double want = labelledShare / (1 - labelledShare) * pseudo / labelled;
        return (int) Math.max(1, Math.min(1000, Math.ceil(want - 1e-9)));
    }
}
