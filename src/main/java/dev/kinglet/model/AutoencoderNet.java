package dev.kinglet.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import dev.kinglet.dsl.Architecture;
import dev.kinglet.dsl.Mlp;
import dev.kinglet.dsl.MobileNetV2;
import dev.kinglet.dsl.MobileNetV3Small;
import dev.kinglet.dsl.ResNet;
import dev.kinglet.dsl.SmallCnn;
import dev.kinglet.dsl.TorchScriptBackbone;
import dev.kinglet.dsl.WideResNet;
import dev.kinglet.natives.Scope;
import dev.kinglet.natives.TensorMemory;

/**
 * A convolutional autoencoder whose encoder is a classifier's body ({@link Network#encode}), so
 * what pre-training learns is stored under the classifier's own state-dict keys. The decoder
 * maps the code back to the input's size: a vector code first goes through a linear layer and
 * ReLU to a 64-channel map at a quarter of the input's size; then each stage upsamples
 * bilinearly, convolves 3x3, batch-normalises and applies ReLU, halving the channels (at least
 * 16), its output size a fixed fraction of the input's so the last stage lands exactly on it; a
 * last 3x3 convolution gives the input's channels with a linear output, compared with the
 * normalised input. Upsampling then convolving avoids the checkerboard artefacts of transposed
 * convolutions. The decoder is thrown away after pre-training; the network stays the caller's.
 *
 * <p>It is itself a {@link Network}, so it trains through the one loop ({@code Learner.fit}
 * with the reconstruction objective): its output is the reconstruction, its modules are
 * {@code encoder} (the classifier, whose head the code never reaches and which is left out of
 * {@link #parameterGroups}) and {@code decoder}, and its layer groups are the classifier's body
 * groups, then the decoder.
 */
public final class AutoencoderNet extends Network {
    private final Network encoder;
    private final Seq decoder;
    private final long[] code;

    /** An autoencoder over {@code encoder}'s body for {@code channels x height x width} inputs. */
    public AutoencoderNet(Network encoder, int channels, int height, int width) {
        this.encoder = encoder;
        this.code = codeShape(encoder, channels, height, width);
        this.decoder = decoder(code, channels, height, width);
        register_module("encoder", encoder);
        register_module("decoder", decoder);
    }

    /** The reconstruction of a batch of (noisy) normalised images. */
    @Override
    public Tensor forward(Tensor images) {
        return reconstruct(images);
    }

    /** The classifier's body groups under {@code encoder.}, then {@code decoder}; the classifier's head is in no group's parameters. */
    @Override
    public List<List<String>> layerGroups() {
        List<List<String>> groups = new ArrayList<>();
        List<List<String>> body = encoder.layerGroups();
        for (List<String> g : body.subList(0, body.size() - 1)) groups.add(g.stream().map(p -> "encoder." + p).toList());
        groups.add(List.of("decoder"));
        return groups;
    }

    @Override
    public String firstConv() {
        String first = encoder.firstConv();
        return first == null ? null : "encoder." + first;
    }

    /** Every trainable parameter by group: the body's and the decoder's; the classifier's head, which gets no gradient, is left out. */
    @Override
    public List<Map<String, Tensor>> parameterGroups() {
        List<Map<String, Tensor>> groups = super.parameterGroups();
        int head = encoder.layerGroups().size() - 1;
        Map<String, Tensor> last = groups.get(groups.size() - 1);
        last.entrySet().removeIf(e -> {
            boolean classifierHead = e.getKey().startsWith("encoder.") && encoder.groupOf(e.getKey().substring("encoder.".length())) == head;
            if (classifierHead) e.getValue().close();
            return classifierHead;
        });
        return groups;
    }

    /** Whether the architecture has an encoder ({@link Network#encode}) to pre-train. */
    public static boolean supports(Architecture a) {
        return switch (a) {
            case SmallCnn s -> true;
            case ResNet r -> true;
            case WideResNet w -> true;
            case MobileNetV2 m -> false;
            case MobileNetV3Small m -> false;
            case Mlp m -> false;
            case TorchScriptBackbone t -> false;
        };
    }

    /** The code's shape for one image, e.g. {@code [1, 128]} or {@code [1, 512, 1, 1]}. */
    public long[] codeShape() {
        return code.clone();
    }

    /** The reconstruction of a batch of (noisy) normalised images. */
    public Tensor reconstruct(Tensor images) {
        return decoder.forward(encoder.encode(images));
    }

    @Override
    public void setTraining(boolean on) {
        super.setTraining(on);
        encoder.setTraining(on);
    }

    /** The body's parameters and buffers under the classifier's keys (the head left out): the encoder file; close them. */
    public Map<String, Tensor> encoderState() {
        return bodyState(encoder);
    }

    /** {@code net}'s state without its head (the last layer group); close the tensors. */
    public static Map<String, Tensor> bodyState(Network net) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        int head = net.layerGroups().size() - 1;
        net.state().forEach((k, t) -> {
            if (net.groupOf(k) < head) out.put(k, t);
            else t.close();
        });
        return out;
    }

    private static long[] codeShape(Network encoder, int channels, int height, int width) {
        boolean training = encoder.is_training();
        encoder.setTraining(false);
        try (var scope = Scope.noGrad()) {
            Tensor z = encoder.encode(TensorMemory.fromFloats(new float[channels * height * width], 1, channels, height, width));
            long[] shape = z.sizes().vec().get();
            if (shape.length != 2 && shape.length != 4) throw new IllegalStateException("an encoder gives a vector or a feature map, got " + shape.length + " dimensions");
            return shape;
        } finally {
            encoder.setTraining(training);
        }
    }

    private static Seq decoder(long[] code, int channels, int height, int width) {
        Seq d = new Seq();
        long c;
        int h, w;
        if (code.length == 2) {
            c = 64;
            h = ceilDiv(height, 4);
            w = ceilDiv(width, 4);
            long fc = c, fh = h, fw = w;
            d.linear(code[1], c * h * w);
            d.relu().op(x -> x.view(-1, fc, fh, fw));
        } else {
            c = code[1];
            h = (int) code[2];
            w = (int) code[3];
        }
        int stages = 0;
        while ((long) h << stages < height || (long) w << stages < width) stages++;
        for (int i = 0; i < stages; i++) {
            int shift = stages - 1 - i;
            long[] size = {ceilDiv(height, 1 << shift), ceilDiv(width, 1 << shift)};
            long out = Math.max(16, c / 2);
            d.op(x -> torch.upsample_bilinear2d(x, size, false));
            d.conv(c, out, 3, 1, 1, 1, false);
            d.bn(out);
            d.relu();
            c = out;
        }
        if (stages == 0 && (h != height || w != width)) { // a code map as large as the input already, or larger
            long[] size = {height, width};
            d.op(x -> torch.upsample_bilinear2d(x, size, false));
        }
        d.conv(c, channels, 3, 1, 1, 1, true);
        return d;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    @Override
    public void close() {
        decoder.close();
        super.close();
    }
}
