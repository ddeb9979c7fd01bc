package dev.kinglet.natives;

import java.util.LinkedHashMap;
import java.util.Map;

import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.StringSharedModuleDict;
import org.bytedeco.pytorch.StringTensorDict;
import org.bytedeco.pytorch.Tensor;

/**
 * A module's named parameters, buffers and sub-modules as Java maps, in LibTorch's order.
 * Tensors are new handles on the module's storage (FINDINGS: the dict's own references can move
 * or be freed), so writing to them in place writes the module's weights; they are unscoped.
 */
public final class Modules {
    private Modules() {}

    public static Map<String, Tensor> parameters(Module m) {
        return copy(m.named_parameters(true));
    }

    /** Running statistics and counters ({@code running_mean}, {@code num_batches_tracked}, ...). */
    public static Map<String, Tensor> buffers(Module m) {
        return copy(m.named_buffers(true));
    }

    /** Parameters and buffers: what PyTorch calls the state dict. */
    public static Map<String, Tensor> state(Module m) {
        Map<String, Tensor> out = parameters(m);
        out.putAll(buffers(m));
        return out;
    }

    /** Every sub-module by its dotted name ({@code layer1.0.bn1}); the module itself is not included. */
    public static Map<String, Module> modules(Module m) {
        Map<String, Module> out = new LinkedHashMap<>();
        StringSharedModuleDict dict = m.named_modules("", false);
        for (long i = 0; i < dict.size(); i++) {
            var item = dict.get(i);
            out.put(item.key().getString(), item.value());
        }
        return out;
    }

    /** Whether {@code m} is a LibTorch batch-norm layer (its running statistics move in training mode). */
    public static boolean isBatchNorm(Module m) {
        return m.name().getString().contains("BatchNorm");
    }

    private static Map<String, Tensor> copy(StringTensorDict dict) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (long i = 0; i < dict.size(); i++) {
            var item = dict.get(i);
            out.put(item.key().getString(), TensorMemory.unscoped(new Tensor(item.value())));
        }
        return out;
    }
}
