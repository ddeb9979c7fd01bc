package dev.kinglet.train;

/** The closed set of moments in {@link Learner#fit} at which callbacks run. */
public enum Event {
    BEFORE_FIT, BEFORE_EPOCH, BEFORE_STEP, AFTER_STEP, AFTER_EPOCH, AFTER_FIT
}
