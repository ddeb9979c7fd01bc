package dev.kinglet.train;

import java.util.Map;

import org.bytedeco.pytorch.Tensor;

/**
 * A callback with state of its own that a resumed job needs (averaged weights, the best weights
 * so far, counters). Checkpoints save it beside the model and optimizer after every epoch and hand
 * it back when the job resumes.
 */
public interface Checkpointed {
    /** Unique among a learner's callbacks: prefixes its tensors in the checkpoint and keys its values. */
    String checkpointName();

    /** The tensors to save by name; the callback keeps owning them. */
    Map<String, Tensor> checkpointTensors();

    /** Numbers to save beside them (finite values only: they go into JSON). */
    Map<String, Double> checkpointValues();

    /** Puts back what {@link #checkpointTensors} and {@link #checkpointValues} held; called inside {@link Learner#fit}. */
    void restoreCheckpoint(Map<String, Tensor> tensors, Map<String, Double> values);
}
