package dev.kinglet.rundir;

import dev.kinglet.dsl.Subset;

/**
 * One training job of a run's plan. Seeds: {@code splitSeed} draws the fold, {@code subsetSeed}
 * the labelled subset, {@code initSeed} the weights and batch order. {@code id} is
 * {@link JobId}'s printed form.
 */
public record Job(String id, String variant, String point, Subset subset, int fold, int seedIndex, int member,
                  long splitSeed, long subsetSeed, long initSeed) {

    public Job(JobId key, Subset subset, long splitSeed, long subsetSeed, long initSeed) {
        this(key.toString(), key.variant(), key.point(), subset, key.fold(), key.seed(), key.member(), splitSeed, subsetSeed, initSeed);
    }

    public JobId key() {
        return new JobId(variant, point, fold, seedIndex, member);
    }

    /** The ensemble this job is a member of (its id without the member). */
    public String ensembleId() {
        return key().ensemble();
    }
}
