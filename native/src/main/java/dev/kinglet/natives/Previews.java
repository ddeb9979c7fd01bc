package dev.kinglet.natives;

import java.io.IOException;
import java.nio.file.Path;

import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.MatVector;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** The reverse of a batch slot: a normalised CHW tensor back to 8-bit pixels or a PNG. */
public final class Previews {
    private Previews() {}

    /** Undoes {@code norm} and returns the image as HWC bytes (rounded, clamped to 0..255). */
    public static byte[] toPixels(Tensor chw, Normalization norm) {
        try (var scope = Scope.image()) {
            return new Image(toMat(chw, norm)).toBytes();
        }
    }

    /** Writes the image as a PNG, atomically (a temporary file renamed into place). */
    public static void writePng(Tensor chw, Normalization norm, Path file) throws IOException {
        try (var scope = Scope.image()) {
            new Image(toMat(chw, norm)).writePng(file);
        }
    }

    /** An 8-bit HWC Mat (RGB channel order for 3 channels) from a float CHW tensor; made in the caller's scope. */
    static Mat toMat(Tensor chw, Normalization norm) {
        if (chw.dim() != 3) throw new IllegalArgumentException("a preview needs a CHW tensor, got " + chw.dim() + " dimensions");
        Tensor t = chw.to(torch.ScalarType.Float).cpu().contiguous();
        int c = (int) t.size(0), h = (int) t.size(1), w = (int) t.size(2);
        if (c != 1 && c != 3) throw new IllegalArgumentException("a preview needs 1 or 3 channels, got " + c);
        Normalization n = norm.broadcast(c);
        long base = TensorMemory.view(t).address();
        MatVector planes = new MatVector(c);
        for (int i = 0; i < c; i++) {
            Mat plane = new Mat(h, w, opencv_core.CV_32FC1, new Address(base + (long) i * h * w * Float.BYTES));
            Mat u8 = new Mat();
            // inverse of (v/255 - mean)/std: v = x*std*255 + mean*255; convertTo rounds and saturates
            plane.convertTo(u8, opencv_core.CV_8U, 255.0 * n.std()[i], 255.0 * n.mean()[i]);
            planes.put(i, u8);
        }
        if (c == 1) return planes.get(0);
        Mat merged = new Mat();
        opencv_core.merge(planes, merged);
        return merged;
    }
}
