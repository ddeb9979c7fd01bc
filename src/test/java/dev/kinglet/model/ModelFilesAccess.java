package dev.kinglet.model;

import java.util.Map;

import org.bytedeco.pytorch.Tensor;

import dev.kinglet.natives.StateDict;

final class ModelFilesAccess {
    private ModelFilesAccess() {}

    static Map<String, Tensor> tensors(StateDict sd) {
        return dev.kinglet.run.ModelFiles.tensors(sd);
    }
}
