package dev.kinglet.train;

/**
 * The closed set of moments in {@link Learner#fit} at which callbacks run. The validation events
 * surround the evaluation of the validation set after an epoch's steps (only when there is one):
 * {@link TrainState#validation()} is set by {@code AFTER_VALIDATE}.
 */
public enum Event {
    BEFORE_FIT, BEFORE_EPOCH, BEFORE_STEP, AFTER_STEP, BEFORE_VALIDATE, AFTER_VALIDATE, AFTER_EPOCH, AFTER_FIT
}
