package dev.kinglet.natives;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.IValueVector;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.NamedTensor;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * A TorchScript module saved by Python's {@code torch.jit.save} (scripted or traced), with a
 * one-tensor forward. Its parameters and buffers are new handles on the module's storage, as
 * {@link Modules} gives them for LibTorch modules; this object owns the module.
 */
public final class Scripted implements AutoCloseable {
    private final JitModule module;
    private boolean closed;

    private Scripted(JitModule module) {
        this.module = module;
    }

    /** Loads {@code file}; refuses, naming it, what is not a TorchScript archive. */
    public static Scripted load(Path file) {
        Natives.load();
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException(file + " does not exist (a TorchScript file of torch.jit.save)");
        JitModule m;
        try {
            m = TensorMemory.unscoped(torch.load(file.toString()));
        } catch (RuntimeException e) {
            String why = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
            throw new IllegalArgumentException(file + " is not a TorchScript archive: save the module with torch.jit.save(torch.jit.script(model), path)"
                    + " or torch.jit.trace (a torch.save state dict or pickled model is not one) [" + why + "]", e);
        }
        return new Scripted(m);
    }

    /** {@code forward(x)}; refuses a module whose output is not one tensor. */
    public Tensor forward(Tensor x) {
        IValue out = module.forward(new IValueVector(new IValue(x)));
        if (!out.isTensor()) throw new IllegalStateException("the TorchScript module's forward returned " + out.tagKind().getString() + ", not one tensor");
        return new Tensor(out.toTensor()); // a handle of our own: the IValue's reference goes with it (FINDINGS)
    }

    public Map<String, Tensor> parameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        var list = module.named_parameters(true);
        for (var it = list.begin(); it.notEquals(list.end()); it.increment()) put(out, it.access());
        return out;
    }

    /** Running statistics and counters. */
    public Map<String, Tensor> buffers() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        var list = module.named_buffers(true);
        for (var it = list.begin(); it.notEquals(list.end()); it.increment()) put(out, it.access());
        return out;
    }

    private static void put(Map<String, Tensor> out, NamedTensor nt) {
        out.put(nt.name().getString(), TensorMemory.unscoped(new Tensor(nt.value())));
    }

    /** Training mode for the module and every sub-module. */
    public void train(boolean on) {
        module.train(on);
    }

    public boolean isTraining() {
        return module.is_training();
    }

    /** Evaluation mode for the batch norms only, so they keep their running statistics while the rest trains. */
    public int freezeBatchNorms() {
        int n = 0;
        var list = module.named_modules();
        for (var it = list.begin(); it.notEquals(list.end()); it.increment()) {
            JitModule m = it.access().value();
            if (m.type().str().getString().contains("BatchNorm")) {
                m.train(false);
                n++;
            }
        }
        return n;
    }

    public void to(Device device, boolean nonBlocking) {
        module.to(device, nonBlocking);
    }

    /** Writes the module (code and current weights) as {@code torch.jit.save} does; Python's {@code torch.jit.load} reads it. */
    public void save(Path file) {
        module.save(file.toString());
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        module.close();
    }
}
