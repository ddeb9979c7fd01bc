package dev.kinglet.dsl;

/** What a run keeps: trained models ({@code saveModels}) and per-epoch checkpoints for resuming ({@code checkpoints}). */
public record Output(Boolean saveModels, Boolean checkpoints) {
    public Output {
        saveModels = saveModels == null || saveModels;
        checkpoints = checkpoints == null || checkpoints;
    }

    public static Output defaults() {
        return new Output(null, null);
    }
}
