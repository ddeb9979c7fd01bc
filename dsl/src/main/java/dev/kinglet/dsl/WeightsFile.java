package dev.kinglet.dsl;

/**
 * Weights from a file: a PyTorch checkpoint ({@code .pth}/{@code .pt}, as {@code torch.save}
 * writes state dicts) or {@code .safetensors}. Loading is strict unless {@code strict} is false;
 * a head whose shape differs is reinitialised only when {@code reinitHead} is true.
 */
public record WeightsFile(String path, Boolean strict, Boolean reinitHead) implements Weights {
    public WeightsFile {
        RecipeException.require(path != null && !path.isBlank(), "model.weights.path", "missing, e.g. weights/resnet18.pth");
        strict = strict == null || strict;
        reinitHead = reinitHead != null && reinitHead;
    }
}
