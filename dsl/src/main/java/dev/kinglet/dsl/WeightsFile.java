package dev.kinglet.dsl;

/**
 * Weights from a file: a PyTorch checkpoint ({@code .pth}/{@code .pt}, as {@code torch.save}
 * writes state dicts) or {@code .safetensors}; {@code entry} picks the state dict inside a
 * checkpoint dict (e.g. {@code model} of {@code {"model": ..., "epoch": 3}}). Loading is strict
 * unless {@code strict} is false; {@code reinitHead} starts the classifier afresh instead of
 * loading it (new classes), and is needed when its shape differs. {@code grayscale} says how one-channel images meet RGB weights.
 */
public record WeightsFile(String path, Boolean strict, Boolean reinitHead, Grayscale grayscale, String entry) implements Weights {
    public WeightsFile {
        RecipeException.require(path != null && !path.isBlank(), "model.weights.path", "missing, e.g. weights/resnet18.pth");
        strict = strict == null || strict;
        reinitHead = reinitHead != null && reinitHead;
        grayscale = grayscale == null ? Grayscale.SUM : grayscale;
    }

    public WeightsFile(String path, Boolean strict, Boolean reinitHead) {
        this(path, strict, reinitHead, null, null);
    }
}
