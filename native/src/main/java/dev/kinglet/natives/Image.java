package dev.kinglet.natives;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.SplittableRandom;

import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.MatVector;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * An 8-bit image, HWC, 1 (grey) or 3 (RGB, in that order) channels, in OpenCV memory. Every
 * operation returns a new image made in the caller's {@link Scope} (use {@code Scope.image()}
 * per image): nothing here outlives the scope it was made in. Random parameters are chosen by
 * the caller; these are the deterministic primitives of augmentation.
 */
public final class Image {
    final Mat mat;

    Image(Mat mat) {
        if (mat.depth() != opencv_core.CV_8U || (mat.channels() != 1 && mat.channels() != 3)) {
            throw new IllegalArgumentException("an image is 8-bit with 1 or 3 channels, got depth " + mat.depth() + " and " + mat.channels() + " channels");
        }
        this.mat = mat;
    }

    public int height() { return mat.rows(); }
    public int width() { return mat.cols(); }
    public int channels() { return mat.channels(); }

    /**
     * Decodes PNG, JPEG, BMP, TIFF or WebP bytes. Grey stays 1 channel, colour becomes RGB,
     * alpha is dropped, 16-bit is scaled to 8. {@code name} (the file) is named in errors.
     */
    public static Image decode(byte[] encoded, String name) throws IOException {
        Natives.load();
        if (encoded.length == 0) throw new IOException(name + ": empty file");
        Mat raw = opencv_imgcodecs.imdecode(new Mat(encoded), opencv_imgcodecs.IMREAD_UNCHANGED);
        if (raw == null || raw.empty()) throw new IOException(name + ": not a readable image (corrupt, truncated or not an image format OpenCV decodes)");
        Mat m = raw;
        if (m.depth() == opencv_core.CV_16U) {
            Mat u8 = new Mat();
            m.convertTo(u8, opencv_core.CV_8U, 1 / 257.0, 0);
            m = u8;
        } else if (m.depth() != opencv_core.CV_8U) {
            throw new IOException(name + ": pixel depth " + m.depth() + " not supported (8- or 16-bit images)");
        }
        Mat out = new Mat();
        switch (m.channels()) {
            case 1 -> out = m;
            case 3 -> opencv_imgproc.cvtColor(m, out, opencv_imgproc.COLOR_BGR2RGB);
            case 4 -> opencv_imgproc.cvtColor(m, out, opencv_imgproc.COLOR_BGRA2RGB);
            default -> throw new IOException(name + ": " + m.channels() + " channels not supported");
        }
        return new Image(out);
    }

    public static Image read(Path file) throws IOException {
        return decode(Files.readAllBytes(file), file.toString());
    }

    /** A copy of {@code hwc} bytes as an image. */
    public static Image of(byte[] hwc, int height, int width, int channels) {
        Natives.load();
        if (hwc.length != height * width * channels) throw new IllegalArgumentException(hwc.length + " bytes do not make " + height + "x" + width + "x" + channels);
        Mat m = new Mat(height, width, opencv_core.CV_8UC(channels));
        m.data().put(hwc, 0, hwc.length);
        return new Image(m);
    }

    /** Image {@code index} of {@code pixels}, borrowed: valid while the pixels are. */
    public static Image of(Pixels pixels, int index) {
        return new Image(pixels.mat(index));
    }

    public byte[] toBytes() {
        Mat c = mat.isContinuous() ? mat : mat.clone();
        byte[] out = new byte[height() * width() * channels()];
        c.data().capacity(out.length).get(out);
        return out;
    }

    /** Converts to {@code channels}: grey to RGB repeats the grey value, RGB to grey takes ITU-R 601 luma (as PIL's "L"). */
    public Image toChannels(int channels) {
        if (channels == channels()) return this;
        Mat out = new Mat();
        if (channels == 3 && channels() == 1) opencv_imgproc.cvtColor(mat, out, opencv_imgproc.COLOR_GRAY2RGB);
        else if (channels == 1 && channels() == 3) opencv_imgproc.cvtColor(mat, out, opencv_imgproc.COLOR_RGB2GRAY);
        else throw new IllegalArgumentException("cannot convert " + channels() + " to " + channels + " channels");
        return new Image(out);
    }

    /** Resized to {@code height x width}: area interpolation when shrinking (antialiased, close to PIL), bilinear when growing. */
    public Image resize(int height, int width) {
        if (height == height() && width == width()) return this;
        Mat out = new Mat();
        boolean shrink = height < height() && width < width();
        opencv_imgproc.resize(mat, out, new Size(width, height), 0, 0, shrink ? opencv_imgproc.INTER_AREA : opencv_imgproc.INTER_LINEAR);
        return new Image(out);
    }

    /** Enlarged by a whole {@code factor}, nearest neighbour (for previews: pixels stay crisp). */
    public Image enlarge(int factor) {
        if (factor == 1) return this;
        Mat out = new Mat();
        opencv_imgproc.resize(mat, out, new Size(width() * factor, height() * factor), 0, 0, opencv_imgproc.INTER_NEAREST);
        return new Image(out);
    }

    /** The {@code height x width} region at ({@code x}, {@code y}), copied. */
    public Image crop(int x, int y, int width, int height) {
        if (x < 0 || y < 0 || width < 1 || height < 1 || x + width > width() || y + height > height()) {
            throw new IllegalArgumentException("crop " + width + "x" + height + " at (" + x + ", " + y + ") leaves the " + width() + "x" + height() + " image");
        }
        return new Image(new Mat(mat, new Rect(x, y, width, height)).clone());
    }

    /** The {@code w x h} region at ({@code x}, {@code y}) resized to {@code height x width}, without copying the region first. */
    public Image cropResize(int x, int y, int w, int h, int height, int width) {
        if (x < 0 || y < 0 || w < 1 || h < 1 || x + w > width() || y + h > height()) {
            throw new IllegalArgumentException("crop " + w + "x" + h + " at (" + x + ", " + y + ") leaves the " + width() + "x" + height() + " image");
        }
        Mat roi = new Mat(mat, new Rect(x, y, w, h)), out = new Mat();
        boolean shrink = height < h && width < w;
        opencv_imgproc.resize(roi, out, new Size(width, height), 0, 0, shrink ? opencv_imgproc.INTER_AREA : opencv_imgproc.INTER_LINEAR);
        return new Image(out);
    }

    /** Centre crop; a side larger than the image is padded with zeros first (as TorchVision). */
    public Image centerCrop(int height, int width) {
        Image src = this;
        if (height > height() || width > width()) {
            int padH = Math.max(0, height - height()), padW = Math.max(0, width - width());
            src = padSides(padH / 2, padH - padH / 2, padW / 2, padW - padW / 2, "constant");
        }
        int y = (int) Math.round((src.height() - height) / 2.0), x = (int) Math.round((src.width() - width) / 2.0);
        return src.crop(x, y, width, height);
    }

    /** Pads every side by {@code pixels}: {@code constant} (zeros), {@code reflect} (no edge repeat) or {@code replicate}. */
    public Image pad(int pixels, String mode) {
        return padSides(pixels, pixels, pixels, pixels, mode);
    }

    private Image padSides(int top, int bottom, int left, int right, String mode) {
        int border = switch (mode) {
            case "constant" -> opencv_core.BORDER_CONSTANT;
            case "reflect" -> opencv_core.BORDER_REFLECT_101;
            case "replicate" -> opencv_core.BORDER_REPLICATE;
            default -> throw new IllegalArgumentException("pad mode '" + mode + "' is not constant, reflect or replicate");
        };
        Mat out = new Mat();
        opencv_core.copyMakeBorder(mat, out, top, bottom, left, right, border, new Scalar(0.0));
        return new Image(out);
    }

    public Image flipHorizontal() {
        Mat out = new Mat();
        opencv_core.flip(mat, out, 1);
        return new Image(out);
    }

    public Image flipVertical() {
        Mat out = new Mat();
        opencv_core.flip(mat, out, 0);
        return new Image(out);
    }

    /** How a warp samples its input: bilinear, or nearest neighbour (TorchVision's default for rotation, affine and perspective; about twice as fast). */
    public enum Interpolation {
        BILINEAR(opencv_imgproc.INTER_LINEAR), NEAREST(opencv_imgproc.INTER_NEAREST);

        final int flag;

        Interpolation(int flag) {
            this.flag = flag;
        }

        /** {@code bilinear} or {@code nearest}, as recipes spell them. */
        public static Interpolation of(String name) {
            return switch (name) {
                case "bilinear" -> BILINEAR;
                case "nearest" -> NEAREST;
                default -> throw new IllegalArgumentException("interpolation '" + name + "' is not bilinear or nearest");
            };
        }
    }

    /**
     * The image under the 2x3 affine map {@code m} (output to input coordinates inverted by
     * OpenCV), into {@code height x width}, outside filled with {@code fill}.
     */
    public Image warpAffine(double[] m, int height, int width, double fill, Interpolation interpolation) {
        if (m.length != 6) throw new IllegalArgumentException("an affine map has 6 coefficients");
        Mat out = new Mat();
        opencv_imgproc.warpAffine(mat, out, matrix(m, 2, 3), new Size(width, height), interpolation.flag,
                opencv_core.BORDER_CONSTANT, new Scalar(fill, fill, fill, 0));
        return new Image(out);
    }

    /** The image under the 3x3 homography {@code m}, same size, outside filled with {@code fill}. */
    public Image warpPerspective(double[] m, double fill, Interpolation interpolation) {
        if (m.length != 9) throw new IllegalArgumentException("a homography has 9 coefficients");
        Mat out = new Mat();
        opencv_imgproc.warpPerspective(mat, out, matrix(m, 3, 3), new Size(width(), height()), interpolation.flag,
                opencv_core.BORDER_CONSTANT, new Scalar(fill, fill, fill, 0));
        return new Image(out);
    }

    /** The homography that maps the four (x, y) corners {@code from} onto {@code to}, row-major. */
    public static double[] perspectiveTransform(double[] from, double[] to) {
        Natives.load();
        try (var scope = Scope.image()) {
            Mat src = matrix(from, 4, 2, opencv_core.CV_32F), dst = matrix(to, 4, 2, opencv_core.CV_32F);
            Mat h = opencv_imgproc.getPerspectiveTransform(src, dst);
            double[] out = new double[9];
            h.data().position(0);
            var buf = h.createBuffer();
            for (int i = 0; i < 9; i++) out[i] = ((java.nio.DoubleBuffer) buf).get(i);
            return out;
        }
    }

    private static Mat matrix(double[] v, int rows, int cols) {
        return matrix(v, rows, cols, opencv_core.CV_64F);
    }

    private static Mat matrix(double[] v, int rows, int cols, int type) {
        Mat m = new Mat(rows, cols, type);
        if (type == opencv_core.CV_64F) {
            ((java.nio.DoubleBuffer) m.createBuffer()).put(v);
        } else {
            var b = (java.nio.FloatBuffer) m.createBuffer();
            for (double d : v) b.put((float) d);
        }
        return m;
    }

    /** {@code this * alpha + other * (1 - alpha)}, saturated to 0..255 (PIL's ImageEnhance blend). */
    private Image blend(Mat other, double alpha) {
        Mat out = new Mat();
        opencv_core.addWeighted(mat, alpha, other, 1 - alpha, 0, out);
        return new Image(out);
    }

    /** Brightness factor {@code f} (1 keeps the image): blend with black. */
    public Image brightness(double f) {
        Mat out = new Mat();
        mat.convertTo(out, opencv_core.CV_8U, f, 0);
        return new Image(out);
    }

    /** Contrast factor {@code f}: blend with the mean grey level of the image. */
    public Image contrast(double f) {
        Mat grey = channels() == 1 ? mat : toChannels(1).mat;
        double mean = Math.round(opencv_core.mean(grey).get(0));
        // f * v + (1 - f) * mean in one pass: the blend with a flat grey image, without making it
        Mat out = new Mat();
        mat.convertTo(out, opencv_core.CV_8U, f, (1 - f) * mean);
        return new Image(out);
    }

    /** Saturation factor {@code f}: blend with the grey image (no-op on grey images). */
    public Image saturation(double f) {
        if (channels() == 1) return this;
        return blend(toChannels(1).toChannels(3).mat, f);
    }

    /** Hue shifted by {@code shift} of a full turn, in [-0.5, 0.5] (no-op on grey images). */
    public Image hue(double shift) {
        if (channels() == 1 || shift == 0) return this;
        Mat hsv = new Mat();
        opencv_imgproc.cvtColor(mat, hsv, opencv_imgproc.COLOR_RGB2HSV_FULL);
        int delta = (int) Math.round(shift * 256);
        Mat lut = new Mat(1, 256, opencv_core.CV_8UC3);
        byte[] table = new byte[256 * 3];
        for (int v = 0; v < 256; v++) {
            table[3 * v] = (byte) Math.floorMod(v + delta, 256);
            table[3 * v + 1] = (byte) v;
            table[3 * v + 2] = (byte) v;
        }
        lut.data().put(table, 0, table.length);
        Mat shifted = new Mat(), out = new Mat();
        opencv_core.LUT(hsv, lut, shifted);
        opencv_imgproc.cvtColor(shifted, out, opencv_imgproc.COLOR_HSV2RGB_FULL);
        return new Image(out);
    }

    /** Sharpness factor {@code f}: blend with PIL's smoothing kernel (1 keeps the image). */
    public Image sharpness(double f) {
        Mat smooth = new Mat();
        Mat kernel = matrix(new double[] {1, 1, 1, 1, 5, 1, 1, 1, 1}, 3, 3);
        kernel.convertTo(kernel, opencv_core.CV_32F, 1 / 13.0, 0);
        opencv_imgproc.filter2D(mat, smooth, -1, kernel);
        return blend(smooth, f);
    }

    /** Applies a 256-entry lookup table to every channel. */
    public Image lookup(byte[] table) {
        if (table.length != 256) throw new IllegalArgumentException("a lookup table has 256 entries");
        Mat lut = new Mat(1, 256, opencv_core.CV_8UC1);
        lut.data().put(table, 0, 256);
        Mat out = new Mat();
        opencv_core.LUT(mat, lut, out);
        return new Image(out);
    }

    /** Keeps the {@code bits} high bits of every value. */
    public Image posterize(int bits) {
        byte[] t = new byte[256];
        int mask = ~((1 << (8 - bits)) - 1) & 0xFF;
        for (int v = 0; v < 256; v++) t[v] = (byte) (v & mask);
        return lookup(t);
    }

    /** Inverts every value at or above {@code threshold}. */
    public Image solarize(int threshold) {
        byte[] t = new byte[256];
        for (int v = 0; v < 256; v++) t[v] = (byte) (v >= threshold ? 255 - v : v);
        return lookup(t);
    }

    /** Stretches each channel to the full 0..255 range. */
    public Image autocontrast() {
        MatVector planes = new MatVector();
        opencv_core.split(mat, planes);
        for (long i = 0; i < planes.size(); i++) {
            Mat p = planes.get(i);
            double[] min = new double[1], max = new double[1];
            opencv_core.minMaxLoc(p, min, max, null, null, null);
            if (max[0] > min[0]) {
                Mat s = new Mat();
                p.convertTo(s, opencv_core.CV_8U, 255 / (max[0] - min[0]), -min[0] * 255 / (max[0] - min[0]));
                planes.put(i, s);
            }
        }
        Mat out = new Mat();
        opencv_core.merge(planes, out);
        return new Image(out);
    }

    /** Histogram equalisation of each channel. */
    public Image equalize() {
        MatVector planes = new MatVector();
        opencv_core.split(mat, planes);
        for (long i = 0; i < planes.size(); i++) {
            Mat e = new Mat();
            opencv_imgproc.equalizeHist(planes.get(i), e);
            planes.put(i, e);
        }
        Mat out = new Mat();
        opencv_core.merge(planes, out);
        return new Image(out);
    }

    /** Gaussian blur with an odd {@code kernel} size and standard deviation {@code sigma}. */
    public Image gaussianBlur(int kernel, double sigma) {
        Mat out = new Mat();
        opencv_imgproc.GaussianBlur(mat, out, new Size(kernel, kernel), sigma, sigma, opencv_core.BORDER_REFLECT_101, 0);
        return new Image(out);
    }

    /** Adds Gaussian noise of standard deviation {@code std} (on the 0..1 scale), saturated. */
    public Image gaussianNoise(double std, SplittableRandom rng) {
        byte[] px = toBytes();
        for (int i = 0; i < px.length; i++) {
            double v = (px[i] & 0xFF) + gaussian(rng) * std * 255;
            px[i] = (byte) Math.max(0, Math.min(255, Math.round(v)));
        }
        return of(px, height(), width(), channels());
    }

    /** Fills the {@code w x h} box at ({@code x}, {@code y}) with uniform noise (random erasing). */
    public Image erase(int x, int y, int w, int h, SplittableRandom rng) {
        byte[] px = toBytes();
        int c = channels();
        for (int r = y; r < Math.min(height(), y + h); r++) {
            for (int col = x; col < Math.min(width(), x + w); col++) {
                for (int k = 0; k < c; k++) px[(r * width() + col) * c + k] = (byte) rng.nextInt(256);
            }
        }
        return of(px, height(), width(), channels());
    }

    private static double gaussian(SplittableRandom rng) {
        double u1 = 1 - rng.nextDouble(), u2 = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    /** Writes the image as PNG, atomically. */
    public void writePng(Path file) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp.png");
        Mat bgr = mat;
        if (channels() == 3) {
            bgr = new Mat();
            opencv_imgproc.cvtColor(mat, bgr, opencv_imgproc.COLOR_RGB2BGR);
        }
        if (!opencv_imgcodecs.imwrite(tmp.toString(), bgr)) throw new IOException("OpenCV could not write " + tmp);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Images of one size and channel count laid out in rows of {@code columns}, with a 2-pixel white gap. */
    public static Image grid(List<Image> images, int columns) {
        if (images.isEmpty()) throw new IllegalArgumentException("no images for a grid");
        Image first = images.get(0);
        int h = first.height(), w = first.width(), c = first.channels(), gap = 2;
        int rows = (images.size() + columns - 1) / columns;
        Mat canvas = new Mat(rows * (h + gap) + gap, columns * (w + gap) + gap, opencv_core.CV_8UC(c), new Scalar(255, 255, 255, 0));
        for (int i = 0; i < images.size(); i++) {
            Image im = images.get(i);
            if (im.height() != h || im.width() != w || im.channels() != c) throw new IllegalArgumentException("grid images differ in size");
            Mat roi = new Mat(canvas, new Rect(gap + (i % columns) * (w + gap), gap + (i / columns) * (h + gap), w, h));
            im.mat.copyTo(roi);
        }
        return new Image(canvas);
    }
}
