package dev.kinglet.train;

/**
 * What the loop knows, read by callbacks. Steps and epochs count from 1 once they have run.
 */
public final class TrainState {
    int epochs, fitEpochs, epoch, stepsPerEpoch, stepInEpoch;
    long step, fitStartStep, imagesInEpoch, correctInEpoch;
    double stepLoss, lossSumInEpoch, lr, trainSecondsInEpoch, validationSeconds;
    int validations;
    long epochStartNanos, fitStartNanos, dataWaitNanosInEpoch;
    UnlabelledStream unlabelled;
    Evaluation validation;
    RegressionEvaluation regressionValidation;
    Double reconstructionValidation;
    boolean stopped, regression, reconstruction;

    public int epochs() { return epochs; }
    public int epoch() { return epoch; }
    /** Epochs of the current {@code fit} call. */
    public int fitEpochs() { return fitEpochs; }
    public int stepsPerEpoch() { return stepsPerEpoch; }
    public int stepInEpoch() { return stepInEpoch; }
    public long step() { return step; }
    /** The step count when the current {@code fit} began. */
    public long fitStartStep() { return fitStartStep; }
    /** Loss of the last step; a regression network's is on standardised targets ({@link TargetScaling}), unlike its validation metrics. */
    public double stepLoss() { return stepLoss; }
    /** Mean loss over the images of the epoch so far. */
    public double epochLoss() { return imagesInEpoch == 0 ? Double.NaN : lossSumInEpoch / imagesInEpoch; }
    /** Training accuracy over the epoch so far (with dropout and batch statistics on); NaN for regression. */
    public double epochAccuracy() { return imagesInEpoch == 0 || !classifies() ? Double.NaN : (double) correctInEpoch / imagesInEpoch; }
    /** True when the network is trained on class labels (not regression targets, not reconstruction): it has an accuracy. */
    public boolean classifies() { return !regression && !reconstruction; }
    public long imagesInEpoch() { return imagesInEpoch; }
    /** FixMatch: the unlabelled images drawn in the epoch so far and their pseudo-labels; null without it. */
    public UnlabelledStream.Counts unlabelledInEpoch() { return unlabelled == null ? null : unlabelled.epoch(); }
    public double epochSeconds() { return (System.nanoTime() - epochStartNanos) / 1e9; }
    public double fitSeconds() { return (System.nanoTime() - fitStartNanos) / 1e9; }
    /** Training throughput of the epoch (validation time excluded once the epoch's steps are done). */
    public double imagesPerSecond() { double s = trainSecondsInEpoch > 0 ? trainSecondsInEpoch : epochSeconds(); return s > 0 ? imagesInEpoch / s : 0; }
    /** Share of the epoch's training time the loop spent waiting for the loader's next batch. */
    public double dataWaitFraction() {
        double s = trainSecondsInEpoch > 0 ? trainSecondsInEpoch : epochSeconds();
        return s > 0 ? dataWaitNanosInEpoch / 1e9 / s : 0;
    }
    /** The learning rate of the last step. */
    public double lr() { return lr; }
    /** Ends the current {@code fit} after this epoch (early stopping). */
    public void stop() { stopped = true; }
    public boolean stopped() { return stopped; }
    /** Seconds spent validating since the learner was made (all fits). */
    public double validationSeconds() { return validationSeconds; }
    /** Validations run since the learner was made. */
    public int validations() { return validations; }
    /** Validation metrics of the last finished epoch, or null without a validation set or when that epoch was not validated ({@code validateEverySteps}). */
    public Evaluation validation() { return validation; }
    /** True when the network is trained on regression targets (no accuracy; see {@link #regressionValidation()}). */
    public boolean regression() { return regression; }
    /** True when the network learns to reconstruct its input (autoencoder pre-training; see {@link #reconstructionValidation()}). */
    public boolean reconstruction() { return reconstruction; }
    /** The validation set's mean squared reconstruction error after the last finished epoch, or null (another objective, or not validated). */
    public Double reconstructionValidation() { return reconstructionValidation; }
    /** Regression metrics of the validation set after the last finished epoch, or null (classification, or no validation set). */
    public RegressionEvaluation regressionValidation() { return regressionValidation; }
}
