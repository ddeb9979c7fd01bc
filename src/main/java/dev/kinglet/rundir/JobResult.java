package dev.kinglet.rundir;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * Outcome of one job, as {@code jobs/<id>/outcome.json} and plan.json record it; a regression
 * job has {@code testR2} (mean over its targets) instead of {@code testAccuracy}.
 */
public record JobResult(String id, JobState state, Double testAccuracy, Double testLoss, Double trainSeconds, String error, Double testR2) {

    public static JobResult of(String id, JobState state) {
        return new JobResult(id, state, null, null, null, null, null);
    }

    public static JobResult failed(String id, String error) {
        return new JobResult(id, JobState.FAILED, null, null, null, error, null);
    }

    public static JobResult classified(String id, double testAccuracy, double testLoss, double trainSeconds) {
        return new JobResult(id, JobState.DONE, testAccuracy, testLoss, trainSeconds, null, null);
    }

    public static JobResult regressed(String id, double testR2, double testLoss, double trainSeconds) {
        return new JobResult(id, JobState.DONE, null, testLoss, trainSeconds, null, testR2);
    }

    @JsonIgnore
    public boolean isDone() {
        return state == JobState.DONE;
    }

    /** The metric a run summarises: test accuracy, or R² for regression. */
    @JsonIgnore
    public Double metric() {
        return testAccuracy != null ? testAccuracy : testR2;
    }
}
