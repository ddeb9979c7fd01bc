package dev.kinglet.model;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import dev.kinglet.natives.Modules;
import dev.kinglet.natives.Scope;

/** TorchVision's weight initialisation, so a network trained from scratch starts as it would in Python. */
final class Init {
    private Init() {}

    /** Convolutions He-normal over fan-out, their biases zero; linear layers keep PyTorch's default. */
    static void torchVision(Network net) {
        init(net, Double.NaN);
    }

    /** As {@link #torchVision(Network)}, with linear weights normal(0, {@code linearStd}) and biases zero (MobileNets). */
    static void torchVision(Network net, double linearStd) {
        init(net, linearStd);
    }

    private static void init(Network net, double linearStd) {
        try (var scope = Scope.noGrad()) {
            var params = Modules.parameters(net);
            for (var e : params.entrySet()) {
                Tensor p = e.getValue();
                String name = e.getKey();
                if (p.dim() == 4 && name.endsWith("weight")) {
                    long fanOut = p.size(0) * p.size(2) * p.size(3);
                    torch.normal_(p, 0, Math.sqrt(2.0 / fanOut));
                    String bias = name.substring(0, name.length() - "weight".length()) + "bias";
                    if (params.containsKey(bias)) params.get(bias).zero_();
                } else if (p.dim() == 2 && name.endsWith("weight") && !Double.isNaN(linearStd)) {
                    torch.normal_(p, 0, linearStd);
                    String bias = name.substring(0, name.length() - "weight".length()) + "bias";
                    if (params.containsKey(bias)) params.get(bias).zero_();
                }
            }
            params.values().forEach(Tensor::close);
        }
    }
}
