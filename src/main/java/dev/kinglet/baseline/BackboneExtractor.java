package dev.kinglet.baseline;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import dev.kinglet.data.ImageSet;
import dev.kinglet.dsl.Architecture;
import dev.kinglet.dsl.Mlp;
import dev.kinglet.dsl.MobileNetV2;
import dev.kinglet.dsl.MobileNetV3Small;
import dev.kinglet.dsl.ResNet;
import dev.kinglet.dsl.SmallCnn;
import dev.kinglet.dsl.TorchScriptBackbone;
import dev.kinglet.dsl.WideResNet;
import dev.kinglet.model.Network;
import dev.kinglet.natives.BatchBuffer;
import dev.kinglet.natives.Device;
import dev.kinglet.natives.Image;
import dev.kinglet.natives.Normalization;
import dev.kinglet.natives.Pixels;
import dev.kinglet.natives.Scope;
import dev.kinglet.natives.TensorMemory;

/**
 * Features of a frozen pretrained network: each image resized to the network's input size,
 * normalised as its weights expect, passed through its body ({@link Network#encode}) in
 * evaluation and inference mode, one scope per batch, and a feature map averaged over its
 * positions (a ResNet-18's layer4 becomes 512 numbers). A grayscale image meets RGB weights as
 * the network was built for it: first-convolution weights summed, or the channel repeated.
 *
 * <p>Each image is encoded once: features are kept per row of the image store the set reads
 * ({@link ImageSet#pixels()}), so the subsets of one split that the baselines of every
 * learning-curve point, fold and seed train on select rows already computed. Not thread-safe.
 */
public final class BackboneExtractor implements FeatureExtractor, AutoCloseable {
    static final int BATCH = 64;
    /**
     * The smallest side fed to a network that shrinks its input 32-fold (ResNet, MobileNets).
     * A 28x28 image would leave a ResNet's layer4 one position whose field of view is mostly
     * padding; ImageNet weights were trained on objects ~224 pixels wide. 64 gives a 2x2 map at
     * a quarter of 128's cost: ResNet-18 encodes ~1000 images/s at 64x64 on 2 cores.
     */
    public static final int MIN_SIDE_STRIDE_32 = 64;

    private final Network net;
    private final int channels, height, width;
    private final boolean repeatGray;
    private final Normalization norm;
    private final Device device;
    private final BatchBuffer buffer;
    private final Map<Pixels, float[][]> cache = new IdentityHashMap<>();
    private int featureWidth = -1;
    private long encoded;

    /**
     * @param net        the backbone with its weights loaded; this extractor owns it
     * @param channels   channels of the images (1 or 3)
     * @param repeatGray the net was built for 3 channels and one-channel images are repeated
     */
    public BackboneExtractor(Network net, int channels, int height, int width, boolean repeatGray, Normalization norm, Device device) {
        this.net = net;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.repeatGray = repeatGray;
        this.norm = norm;
        this.device = device;
        this.buffer = new BatchBuffer(BATCH, channels, height, width, 1);
        net.setTraining(false); // batch norm uses its running statistics; dropout is off
        if (device.isCuda()) net.to(device.torch(), false);
    }

    /**
     * The size {@code architecture} sees images of {@code height x width}: enlarged (aspect kept)
     * until the shorter side is {@link #MIN_SIDE_STRIDE_32} for networks that shrink 32-fold;
     * otherwise, and for larger images, as they are (a smallCnn's weights fit one size only).
     */
    public static int[] inputSize(Architecture architecture, int height, int width) {
        int min = switch (architecture) {
            case ResNet r -> MIN_SIDE_STRIDE_32;
            case MobileNetV2 m -> MIN_SIDE_STRIDE_32;
            case MobileNetV3Small m -> MIN_SIDE_STRIDE_32;
            case WideResNet w -> 0; // shrinks 4-fold: made for 32x32 images
            case SmallCnn s -> 0;
            case Mlp m -> 0;
            case TorchScriptBackbone t -> 0;
        };
        int shorter = Math.min(height, width);
        if (shorter >= min) return new int[] {height, width};
        double s = (double) min / shorter;
        return new int[] {(int) Math.round(height * s), (int) Math.round(width * s)};
    }

    @Override
    public float[][] extract(ImageSet set) {
        Pixels px = set.pixels();
        if (px.channels() != channels) throw new IllegalArgumentException("images have " + px.channels() + " channels, this backbone was built for " + channels);
        float[][] rows = cache.computeIfAbsent(px, p -> new float[p.count()][]);
        List<Integer> missing = new ArrayList<>();
        boolean[] listed = new boolean[rows.length];
        for (int i = 0; i < set.size(); i++) {
            int row = set.row(i);
            if (rows[row] == null && !listed[row]) {
                listed[row] = true;
                missing.add(row);
            }
        }
        for (int from = 0; from < missing.size(); from += BATCH) encode(px, missing.subList(from, Math.min(missing.size(), from + BATCH)), rows);
        float[][] out = new float[set.size()][];
        for (int i = 0; i < out.length; i++) out[i] = rows[set.row(i)].clone();
        return out;
    }

    private void encode(Pixels px, List<Integer> chunk, float[][] rows) {
        BatchBuffer.Batch batch = buffer.next();
        for (int i = 0; i < chunk.size(); i++) {
            try (var scope = Scope.image()) {
                batch.put(i, Image.of(px, chunk.get(i)).resize(height, width), norm, 0L);
            }
        }
        try (var scope = Scope.evalBatch()) {
            Tensor x = batch.images().narrow(0, 0, chunk.size());
            if (device.isCuda()) x = x.to(device.torch(), x.scalar_type());
            if (repeatGray && channels == 1) x = x.expand(-1, 3, -1, -1);
            Tensor f = net.encode(x);
            if (f.dim() == 4) f = torch.adaptive_avg_pool2d(f, 1, 1);
            float[] v = TensorMemory.toFloats(f.flatten(1, -1));
            int d = v.length / chunk.size();
            if (featureWidth < 0) featureWidth = d;
            for (int i = 0; i < chunk.size(); i++) {
                float[] row = new float[d];
                System.arraycopy(v, i * d, row, 0, d);
                rows[chunk.get(i)] = row;
            }
        }
        encoded += chunk.size();
    }

    /** The length of a feature vector, once an image has been encoded; -1 before. */
    public int featureWidth() {
        return featureWidth;
    }

    /** Images passed through the network so far (each at most once). */
    public long encoded() {
        return encoded;
    }

    /** The size images are resized to before the network. */
    public int[] inputSize() {
        return new int[] {height, width};
    }

    @Override
    public void close() {
        buffer.close();
        net.close();
    }
}
